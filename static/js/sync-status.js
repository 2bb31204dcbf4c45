// Live sync progress on the item page: polls /banks/<id>/status/ while a sync is queued or
// running, shows what it is doing, and reloads the page once when it has finished.
// "Refresh now" ([data-sync-refresh]) is posted with fetch so the page can show progress at once;
// without JavaScript the form posts normally and the reloaded page polls the same way.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var MAX_POLLS = 300; // five minutes; after that the page shows what it knows

  function describe(s) {
    if (s.phase === "queued") return "Refresh requested, waiting for the bank…";
    if (s.phase === "running") {
      return "Updating… " + (s.pages ? s.pages + " page" + (s.pages === 1 ? "" : "s") + " fetched" : "");
    }
    var r = s.last_run;
    if (!r) return "Not updated yet.";
    if (r.outcome === "success") {
      return "Updated: " + r.added + " new, " + r.modified + " changed, " + r.removed + " removed.";
    }
    return "Last update: " + r.outcome_display + (r.error_code ? " (" + r.error_code + ")" : "") + ".";
  }

  function watch(el) {
    var url = el.getAttribute("data-sync-status-url");
    var text = el.querySelector("[data-sync-status-text]") || el;
    var polls = 0;
    var timer = null;
    var finished = false;
    // A page drawn while a sync was running must reload when it ends, even if the first poll
    // already finds it finished.
    var sawProgress = el.getAttribute("data-sync-phase") === "running";
    // While our own refresh request is in flight the sync may not have been claimed yet (or,
    // with eager tasks, runs inside that request): "idle" then does not mean "done".
    var requesting = false;

    function schedule(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(tick, ms);
    }

    function show(phase, message) {
      el.setAttribute("data-sync-phase", phase);
      text.textContent = message;
    }

    function tick() {
      if (finished) return;
      polls += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          if (finished) return;
          if (s.in_progress) {
            sawProgress = true;
            show(s.phase, describe(s));
            if (polls < MAX_POLLS) schedule(POLL_MS);
          } else if (requesting) {
            if (polls < MAX_POLLS) schedule(POLL_MS);
          } else if (sawProgress) {
            finished = true;
            show(s.phase, describe(s));
            // New rows and balances: show them (once).
            window.setTimeout(function () { window.location.reload(); }, 800);
          } else {
            el.setAttribute("data-sync-phase", s.phase);
          }
        })
        .catch(function () {
          if (polls < MAX_POLLS) schedule(POLL_MS * 2);
        });
    }

    function refresh(form, event) {
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      requesting = true;
      sawProgress = true;
      polls = 0;
      show("queued", "Refresh requested, waiting for the bank…");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) {
          return r.json().catch(function () { return Promise.reject(r.status); });
        })
        .then(function (answer) {
          requesting = false;
          if (answer.accepted) {
            schedule(0);
          } else {
            // Throttled, or the bank cannot be refreshed now: say why, and stop.
            sawProgress = false;
            window.clearTimeout(timer);
            show("idle", answer.message);
            if (button) button.disabled = false;
          }
        })
        .catch(function () {
          // Not an answer we understand: let the browser post the form the plain way.
          requesting = false;
          form.submit();
        });
      schedule(0);
    }

    document.querySelectorAll("form[data-sync-refresh]").forEach(function (form) {
      form.addEventListener("submit", function (event) { refresh(form, event); });
    });
    tick();
  }

  document.querySelectorAll("[data-sync-status-url]").forEach(watch);
})();
