/* Check-in scanner page (templates/checkin/scanner.html).
 *
 * Reads a badge code three ways: typed, from a USB scanner acting as a
 * keyboard (it types the code and presses Enter), or from the camera
 * (getUserMedia frames drawn into a canvas, decoded by the vendored jsQR).
 * Each scan is POSTed as JSON with its own scan_id, generated here, so a
 * retried request is answered with the stored result and never counts twice.
 * Every text comes translated from data- attributes; no inline script (CSP).
 * Without this script the form still posts and the server renders the result.
 */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) {
    return;
  }
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-code");
  var scanIdField = document.getElementById("scan-id");
  var sessionField = document.getElementById("session-id");
  var panel = document.getElementById("scan-result");
  var icon = document.getElementById("scan-icon");
  var heading = document.getElementById("scan-heading");
  var nameLine = document.getElementById("scan-name");
  var details = document.getElementById("scan-details");
  var messageLine = document.getElementById("scan-message");
  var history = document.getElementById("scan-history");
  var headings = JSON.parse(root.getAttribute("data-headings"));
  var styles = JSON.parse(root.getAttribute("data-styles"));
  var scanUrl = root.getAttribute("data-scan-url");
  var csrfToken = root.getAttribute("data-csrf-token");
  var TIMEOUT_MS = 5000;
  var RETRIES = 2;
  var HISTORY_LENGTH = 10;

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function newScanId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; getRandomValues does not.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function point() {
    var session = document.getElementById("point-session");
    if (session && session.checked) {
      return sessionField.value.trim();
    }
    return "gate";
  }

  function setPanel(colour, iconText, headingText, name, detailText, message, result) {
    panel.classList.remove("bg-light", "border", "text-bg-success", "text-bg-warning", "text-bg-danger", "text-bg-secondary");
    panel.classList.add("text-bg-" + colour);
    panel.setAttribute("data-result", result);
    icon.textContent = iconText;
    heading.textContent = headingText;
    nameLine.textContent = name;
    details.textContent = detailText;
    messageLine.textContent = message;
  }

  function addHistory(headingText, name, colour) {
    var item = document.createElement("li");
    item.className = "list-group-item list-group-item-" + colour;
    var time = new Date().toLocaleTimeString();
    item.textContent = time + " · " + headingText + (name ? " · " + name : "");
    history.insertBefore(item, history.firstChild);
    while (history.children.length > HISTORY_LENGTH) {
      history.removeChild(history.lastChild);
    }
  }

  function showOutcome(data) {
    var style = styles[data.result] || ["danger", "✖"];
    var person = data.person || null;
    var detailText = "";
    if (person) {
      detailText = person.category_label + (person.organisation ? " · " + person.organisation : "");
    }
    var headingText = headings[data.result] || data.result;
    setPanel(style[0], style[1], headingText, person ? person.name : "", detailText, data.message || "", data.result);
    addHistory(headingText, person ? person.name : "", style[0]);
  }

  function showError(message) {
    setPanel("danger", "✖", text("error"), "", "", message, "error");
    addHistory(text("error"), "", "danger");
  }

  var busy = false;

  function post(body, attempt) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(scanUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken
      },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) {
        window.clearTimeout(timer);
      }
      return response.json().catch(function () {
        return { error: text("network-error") };
      }).then(function (data) {
        if (response.status === 401) {
          data.error = text("session-ended");
        }
        return data;
      });
    }, function (error) {
      if (timer) {
        window.clearTimeout(timer);
      }
      // Same scan_id again: the server answers with what it stored, if it got it.
      if (attempt < RETRIES) {
        return post(body, attempt + 1);
      }
      throw error;
    });
  }

  function submitCode(code) {
    code = (code || "").trim();
    if (!code || busy) {
      return;
    }
    var where = point();
    if (!where) {
      showError(text("session-required"));
      sessionField.focus();
      return;
    }
    busy = true;
    var body = { code: code, scan_id: scanIdField.value || newScanId(), point: where };
    setPanel("secondary", "…", text("checking"), "", "", "", "pending");
    post(body, 0).then(function (data) {
      if (data.result) {
        showOutcome(data);
      } else {
        showError(data.error || text("network-error"));
      }
    }, function () {
      showError(text("network-error"));
    }).then(function () {
      busy = false;
      scanIdField.value = newScanId();
      input.value = "";
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitCode(input.value);
  });

  // --- Camera -----------------------------------------------------------------
  var toggle = document.getElementById("camera-toggle");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var cameraError = document.getElementById("camera-error");
  var stream = null;
  var lastCode = "";
  var lastCodeAt = 0;
  var REPEAT_MS = 3000; // the same badge held in front of the camera is one scan

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.classList.add("d-none");
    toggle.textContent = text("camera-start");
  }

  function tick() {
    if (!stream) {
      return;
    }
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (found && found.data && !busy && (found.data !== lastCode || now - lastCodeAt > REPEAT_MS)) {
        lastCode = found.data;
        lastCodeAt = now;
        submitCode(found.data);
      }
    }
    window.requestAnimationFrame(tick);
  }

  function startCamera() {
    cameraError.classList.add("d-none");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.classList.remove("d-none");
        toggle.textContent = text("camera-stop");
        return video.play();
      })
      .then(function () {
        window.requestAnimationFrame(tick);
      })
      .catch(function () {
        stopCamera();
        cameraError.textContent = text("camera-unavailable");
        cameraError.classList.remove("d-none");
      });
  }

  if (navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function" && window.jsQR) {
    toggle.classList.remove("d-none");
    toggle.addEventListener("click", function () {
      if (stream) {
        stopCamera();
      } else {
        startCamera();
      }
    });
  }
  scanIdField.value = newScanId();
  input.focus();
})();
