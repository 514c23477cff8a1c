/* Live countdown of booth holds (templates/exhibitors/bookings/_countdown.html).
 *
 * The server renders the expiry time in the edition's time zone and the
 * minutes left; this script only keeps the "left" text moving and, at zero,
 * says that the hold expired. Every text comes translated from data-
 * attributes, so the script holds no words of its own. No inline script: CSP.
 */
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    return (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(rest);
  }

  function tick() {
    var now = Date.now();
    var timers = document.querySelectorAll("[data-expires-at]");
    Array.prototype.forEach.call(timers, function (timer) {
      var expires = Date.parse(timer.getAttribute("data-expires-at"));
      if (isNaN(expires)) {
        return;
      }
      var left = Math.floor((expires - now) / 1000);
      if (left <= 0) {
        timer.textContent = timer.getAttribute("data-expired-text");
        timer.classList.add("text-danger", "fw-semibold");
        timer.removeAttribute("data-expires-at");
        return;
      }
      var target = timer.querySelector(".countdown-left");
      var template = timer.getAttribute("data-left-template");
      if (target && template) {
        target.textContent = template.replace("{time}", clock(left));
      }
    });
  }

  function start() {
    if (!document.querySelector("[data-expires-at]")) {
      return;
    }
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
