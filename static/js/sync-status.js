// Live sync progress on the item page: polls /banks/<id>/status/ while a sync is queued or
// running, shows what it is doing, and reloads the page once when it has finished.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var MAX_POLLS = 150; // five minutes; after that the page shows what it knows

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
    var sawProgress = false;

    function tick() {
      polls += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          el.setAttribute("data-sync-phase", s.phase);
          if (s.in_progress) {
            sawProgress = true;
            text.textContent = describe(s);
            if (polls < MAX_POLLS) window.setTimeout(tick, POLL_MS);
          } else if (sawProgress) {
            text.textContent = describe(s);
            // New rows and balances: show them (once).
            window.setTimeout(function () { window.location.reload(); }, 800);
          }
        })
        .catch(function () {
          if (polls < MAX_POLLS) window.setTimeout(tick, POLL_MS * 2);
        });
    }
    tick();
  }

  document.querySelectorAll("[data-sync-status-url]").forEach(watch);
})();
