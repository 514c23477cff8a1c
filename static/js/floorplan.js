/* Floor plan: zoom (buttons, wheel), pan (drag), and a tooltip on hover and on
   keyboard focus. The plan is complete without this script: booths are links,
   each with its own <title> and aria-label. CSP: no inline code, no style
   attributes in markup (positions are set through the CSSOM). */
(function () {
  "use strict";

  var MIN_SCALE = 1;
  var MAX_SCALE = 24;
  var STEP = 1.4;

  // ---- tooltip -----------------------------------------------------------
  var tooltip = document.getElementById("fp-tooltip");

  function tipLines(booth) {
    if (booth.dataset.tip === undefined) {
      var title = booth.querySelector("title");
      booth.dataset.tip = title ? title.textContent : "";
      // The custom tooltip replaces the browser's own, which would show twice.
      if (title) { title.remove(); }
    }
    return booth.dataset.tip.split("\n");
  }

  function showTip(booth) {
    if (!tooltip) { return; }
    var lines = tipLines(booth);
    tooltip.textContent = "";
    var head = document.createElement("strong");
    head.textContent = lines[0] || "";
    tooltip.appendChild(head);
    tooltip.appendChild(document.createTextNode(lines.slice(1).join("\n")));
    var box = booth.getBoundingClientRect();
    tooltip.hidden = false;
    tooltip.style.left = (box.left + box.width / 2 + window.scrollX) + "px";
    tooltip.style.top = (box.top + window.scrollY) + "px";
    booth.setAttribute("aria-describedby", "fp-tooltip");
  }

  function hideTip(booth) {
    if (!tooltip) { return; }
    tooltip.hidden = true;
    if (booth) { booth.removeAttribute("aria-describedby"); }
  }

  function boothOf(target) {
    return target && target.closest ? target.closest(".booth") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var booth = boothOf(event.target);
    if (booth) { showTip(booth); }
  });
  document.addEventListener("mouseout", function (event) {
    var booth = boothOf(event.target);
    if (booth && !booth.contains(event.relatedTarget)) { hideTip(booth); }
  });
  document.addEventListener("focusin", function (event) {
    var booth = boothOf(event.target);
    if (!booth) { return; }
    booth.classList.add("is-focused");
    var svg = booth.ownerSVGElement;
    if (svg && svg.fpView) { svg.fpView.reveal(booth); }
    showTip(booth);
  });
  document.addEventListener("focusout", function (event) {
    var booth = boothOf(event.target);
    if (booth) { booth.classList.remove("is-focused"); hideTip(booth); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hideTip(boothOf(document.activeElement)); }
  });

  // ---- zoom and pan ------------------------------------------------------
  function View(svg) {
    this.svg = svg;
    this.width = parseFloat(svg.dataset.width);
    this.depth = parseFloat(svg.dataset.depth);
    this.scale = 1;
    this.cx = this.width / 2;
    this.cy = this.depth / 2;
  }

  View.prototype.apply = function () {
    var w = this.width / this.scale;
    var h = this.depth / this.scale;
    // Keep the visible window inside the hall.
    this.cx = Math.min(Math.max(this.cx, w / 2), this.width - w / 2);
    this.cy = Math.min(Math.max(this.cy, h / 2), this.depth - h / 2);
    this.svg.setAttribute("viewBox", [this.cx - w / 2, this.cy - h / 2, w, h].join(" "));
    this.svg.classList.toggle("is-zoomed", this.scale > 1);
    hideTip(null);
  };

  View.prototype.zoom = function (factor, x, y) {
    var scale = Math.min(Math.max(this.scale * factor, MIN_SCALE), MAX_SCALE);
    if (x !== undefined) {
      // Zoom about (x, y): that point stays under the pointer.
      var ratio = this.scale / scale;
      this.cx = x + (this.cx - x) * ratio;
      this.cy = y + (this.cy - y) * ratio;
    }
    this.scale = scale;
    this.apply();
  };

  View.prototype.reset = function () {
    this.scale = 1;
    this.cx = this.width / 2;
    this.cy = this.depth / 2;
    this.apply();
  };

  View.prototype.toPlan = function (clientX, clientY) {
    var point = this.svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    var matrix = this.svg.getScreenCTM();
    return matrix ? point.matrixTransform(matrix.inverse()) : { x: this.cx, y: this.cy };
  };

  View.prototype.reveal = function (booth) {
    if (this.scale === 1) { return; }
    var shape = booth.querySelector(".booth-shape");
    if (!shape) { return; }
    var x = parseFloat(shape.getAttribute("x")) + parseFloat(shape.getAttribute("width")) / 2;
    var y = parseFloat(shape.getAttribute("y")) + parseFloat(shape.getAttribute("height")) / 2;
    var w = this.width / this.scale;
    var h = this.depth / this.scale;
    if (Math.abs(x - this.cx) > w / 2 * 0.8 || Math.abs(y - this.cy) > h / 2 * 0.8) {
      this.cx = x;
      this.cy = y;
      this.apply();
    }
  };

  function setUp(svg) {
    var view = new View(svg);
    svg.fpView = view;

    var controls = document.querySelector('[data-zoom-for="' + svg.id + '"]');
    if (controls) {
      controls.hidden = false;
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-zoom]");
        if (!button) { return; }
        var action = button.dataset.zoom;
        if (action === "in") { view.zoom(STEP); }
        else if (action === "out") { view.zoom(1 / STEP); }
        else { view.reset(); }
      });
    }

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = view.toPlan(event.clientX, event.clientY);
      view.zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, at.x, at.y);
    }, { passive: false });

    // Drag to pan once zoomed; a drag never counts as a click on a booth.
    var drag = null;
    var dragged = false;
    svg.addEventListener("pointerdown", function (event) {
      if (view.scale === 1 || event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, cx: view.cx, cy: view.cy, id: event.pointerId };
      dragged = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) { return; }
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!dragged) {
        dragged = true;
        svg.setPointerCapture(event.pointerId);
        svg.classList.add("is-panning");
      }
      var box = svg.getBoundingClientRect();
      var perPixel = Math.max(view.width / view.scale / box.width, view.depth / view.scale / box.height);
      view.cx = drag.cx - dx * perPixel;
      view.cy = drag.cy - dy * perPixel;
      view.apply();
    });
    function endDrag() {
      drag = null;
      svg.classList.remove("is-panning");
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("click", function (event) {
      if (dragged) {
        event.preventDefault();
        event.stopPropagation();
        dragged = false;
      }
    }, true);
  }

  Array.prototype.forEach.call(document.querySelectorAll("svg.floorplan-svg"), setUp);

  // A "see on plan" link: bring the outlined booth into view.
  var highlighted = document.querySelector(".booth--highlight");
  if (highlighted && highlighted.scrollIntoView) {
    highlighted.scrollIntoView({ block: "center" });
  }
})();
