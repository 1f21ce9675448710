// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  // Timestamps arrive in UTC; show them in the viewer's own time zone (the ISO time stays in the title).
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (!isNaN(moment)) {
        el.textContent = format.format(moment);
      }
    });
  }

  // Errors htmx does not swap (404, 500, network) still deserve a word.
  function announce(message) {
    var status = document.getElementById("live-status");
    if (status) {
      status.textContent = message;
      status.classList.remove("visually-hidden");
      status.classList.add("notice", "notice-error");
    }
  }

  // A buy that fills the plan sends HX-Trigger: plan-full; the offers' fieldset disables every
  // Buy button inside it. A listener here, not hx-on, because the CSP forbids eval.
  document.addEventListener("plan-full", function (event) {
    var target = event.target instanceof Element ? event.target : document.body;
    var region = target.closest("[data-disable-on~='plan-full']");
    (region ? [region] : document.querySelectorAll("[data-disable-on~='plan-full']")).forEach(
      function (el) { el.disabled = true; }
    );
  });

  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:load", function (event) { localise(event.detail.elt); });
  document.addEventListener("htmx:responseError", function (event) {
    announce("Something went wrong (" + event.detail.xhr.status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });
})();
