// Live regions ([data-live]) poll their fragment with htmx (hx-trigger="every Ns"); the server
// picks the interval: quick while a sync is queued or running, slow otherwise. A hidden tab
// asks for nothing, and catches up as soon as it is shown again (visibilitychange).
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (event) {
    if (document.hidden && event.target.closest("[data-live]")) event.preventDefault();
  });
  // A signed-out session or a server error answers with a whole page: keep what is shown
  // and try again at the next tick rather than pasting that page into the region.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.target.closest("[data-live]")) return;
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 || !xhr.getResponseHeader("X-Live-Fragment")) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });
})();
