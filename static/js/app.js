// Small enhancements on top of htmx; every page works without this file.
(function () {
  "use strict";

  // Styles that only make sense with JavaScript (a picker saves on change: no Save button).
  document.documentElement.classList.add("js");

  var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var clock = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

  // Timestamps arrive in UTC; show them in the viewer's own time zone (the ISO time stays in the
  // title). data-local="time" is a time of day: the date too only when it is not today here.
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment)) {
        return;
      }
      var today = moment.toDateString() === new Date().toDateString();
      el.textContent = (el.getAttribute("data-local") === "time" && today ? clock : format).format(moment);
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

  // The numbers table's "select every number on this page" box (shown only with JavaScript).
  document.addEventListener("change", function (event) {
    var all = event.target instanceof Element ? event.target.closest("[data-select-all]") : null;
    var table = all && all.closest("table");
    if (table) {
      table.querySelectorAll("[data-role=select-number]").forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  // A form sent with a stale token (signed in again in another tab): nothing was swapped, so the
  // fields keep what was typed; every form on the page takes the fresh token, and the form says
  // why, so one more click sends it.
  document.addEventListener("form-token-renewed", function (event) {
    var token = event.detail && event.detail.token;
    if (!token) {
      return;
    }
    document.querySelectorAll("input[name=csrf_token]").forEach(function (el) { el.value = token; });
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    var source = event.target instanceof Element ? event.target : document.body;
    var form = source.closest("form") || source;
    var note = form.querySelector("[data-role=form-token-renewed]");
    if (!note) {
      note = document.createElement("p");
      note.className = "form-error form-token-note";
      note.setAttribute("role", "alert");
      note.setAttribute("data-role", "form-token-renewed");
      form.prepend(note);
    }
    note.textContent = event.detail.message;
    // After htmx gives back the buttons it disabled for the request.
    var send = form.querySelector("[type=submit]");
    source.addEventListener("htmx:afterRequest", function () {
      if (send) { send.focus(); }
    }, { once: true });
  });

  // The bulk bar says how many rows are selected (after any box changes, the page's too).
  document.addEventListener("change", function (event) {
    var box = event.target instanceof Element ? event.target.closest("[data-role=select-number], [data-select-all]") : null;
    var count = document.getElementById("bulk-count");
    if (box && count) {
      count.textContent = document.querySelectorAll("[data-role=select-number]:checked").length + " selected";
    }
  });

  // A field with a pattern says what it wants in our words ("3 digits, like 415", its title),
  // not the browser's "Please match the requested format."; typing clears the message.
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.validity.patternMismatch && field.title) {
      field.setCustomValidity(field.title);
    }
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.title) {
      event.target.setCustomValidity("");
    }
  }, true);

  // A new API token (or secret, or an invitation's link): Copy puts it on the clipboard, or at
  // least selects it.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    var field = button && document.querySelector(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Press Ctrl+C"; }
      );
    } else {
      button.textContent = "Press Ctrl+C";
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });

  // One confirmation open at a time: opening another closes the last.
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (opened instanceof HTMLDetailsElement && opened.open && opened.classList.contains("confirm")) {
      document.querySelectorAll("details.confirm[open]").forEach(function (other) {
        if (other !== opened) { other.open = false; }
      });
    }
  }, true);
  // Cancel in a confirmation closes it and gives the focus back to what opened it.
  document.addEventListener("click", function (event) {
    var cancel = event.target instanceof Element ? event.target.closest("[data-role=cancel-confirm]") : null;
    var open = cancel && cancel.closest("details.confirm[open]");
    if (open) {
      event.preventDefault();
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  // An opened confirmation is scrolled into view (a row's Release near the bottom of the window).
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (opened instanceof HTMLDetailsElement && opened.open && opened.classList.contains("confirm")) {
      var panel = opened.querySelector(".confirm-panel");
      if (panel) {
        setTimeout(function () { panel.scrollIntoView({ block: "nearest" }); }, 50);
      }
    }
  }, true);
  // A confirmation whose content loads when opened: in view once it has arrived.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target instanceof Element && target.matches(".confirm-panel") && target.closest("details.confirm[open]")) {
      target.scrollIntoView({ block: "nearest" });
    }
  });
  document.addEventListener("keydown", function (event) {
    var open = event.key === "Escape" && event.target instanceof Element &&
      event.target.closest("details.confirm[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });

  // A new search: the old results take no input until the new ones arrive (the CSS greys them),
  // and the last search's field messages go (a bad filter brings its message back).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt instanceof Element ? event.detail.elt.closest("#search-form, #show-more") : null;
    var results = document.getElementById("search-results");
    if (!form || !results) {
      return;
    }
    results.inert = true;
    results.setAttribute("aria-busy", "true");
    document.querySelectorAll("#search-form .field-error").forEach(function (el) { el.remove(); });
    document.querySelectorAll("#search-form .has-error").forEach(function (el) { el.classList.remove("has-error"); });
    document.querySelectorAll("#search-form [aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  });
  document.addEventListener("htmx:afterRequest", function () {
    var results = document.getElementById("search-results");
    if (results) {
      results.inert = false;
      results.removeAttribute("aria-busy");
    }
  });

  // A hold's countdown ticks down without a reload (the page already says the end time).
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.ceil((new Date(el.getAttribute("data-countdown")) - Date.now()) / 60000);
      if (isNaN(left)) {
        return;
      }
      el.textContent = left > 0 ? "ends in " + left + " min" : "hold ended: search again to hold it";
    });
  }
  setInterval(tick, 15000);

  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:load", function (event) { localise(event.detail.elt); });
  document.addEventListener("htmx:responseError", function (event) {
    announce("Something went wrong (" + event.detail.xhr.status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });
})();
