/* Plaid Link look-alike served by the Plaid emulator.
 *
 * Same surface as https://cdn.plaid.com/link/v2/stable/link-initialize.js:
 *   const handler = Plaid.create({token, onSuccess, onExit, onEvent, onLoad, receivedRedirectUri});
 *   handler.open(); handler.exit(); handler.destroy();
 * Like real Link, the UI runs in an iframe from the emulator's origin and talks to this page
 * only through postMessage, so the host page never sees credentials.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var ORIGIN = new URL(script ? script.src : "/", window.location.href).origin;
  var SOURCE = "plaid-emulator-link";

  function create(config) {
    config = config || {};
    var overlay = null;
    var iframe = null;
    var destroyed = false;
    var lastMetadata = { link_session_id: null, institution: null, status: null,
                         request_id: null };

    function call(name) {
      var fn = config[name];
      if (typeof fn === "function") {
        try { fn.apply(null, Array.prototype.slice.call(arguments, 1)); }
        catch (e) { setTimeout(function () { throw e; }); }
      }
    }

    function close() {
      if (overlay && overlay.parentNode) { overlay.parentNode.removeChild(overlay); }
      overlay = null;
      iframe = null;
      document.documentElement.style.overflow = "";
    }

    function onMessage(ev) {
      if (ev.origin !== ORIGIN || !iframe || ev.source !== iframe.contentWindow) { return; }
      var m = ev.data || {};
      if (m.source !== SOURCE) { return; }
      if (m.metadata && m.metadata.link_session_id) { lastMetadata = m.metadata; }
      if (m.type === "event") { call("onEvent", m.eventName, m.metadata || {}); }
      else if (m.type === "success") { close(); call("onSuccess", m.public_token, m.metadata); }
      else if (m.type === "exit") { close(); call("onExit", m.error || null, m.metadata || {}); }
      else if (m.type === "redirect") { window.location.href = m.url; }
    }
    window.addEventListener("message", onMessage);

    function open() {
      if (destroyed || overlay) { return; }
      var params = new URLSearchParams({ token: config.token || "" });
      if (config.receivedRedirectUri) {
        params.set("received_redirect_uri", config.receivedRedirectUri);
      }
      overlay = document.createElement("div");
      overlay.id = "plaid-link-overlay";
      overlay.style.cssText = ("position:fixed;inset:0;z-index:2147483647;" +
        "background:rgba(17,24,39,.55);display:flex;align-items:center;justify-content:center");
      iframe = document.createElement("iframe");
      iframe.id = "plaid-link-iframe";
      iframe.title = "Plaid Link";
      iframe.src = ORIGIN + "/link/ui?" + params.toString();
      iframe.style.cssText = ("width:min(400px,100vw);height:min(640px,100vh);border:0;" +
        "border-radius:14px;background:#fff;box-shadow:0 20px 60px rgba(0,0,0,.35)");
      iframe.setAttribute("allow", "clipboard-write");
      overlay.appendChild(iframe);
      document.body.appendChild(overlay);
      document.documentElement.style.overflow = "hidden";
    }

    // Every form of exit() (no argument, {force: true}, {force: false}) closes Link and
    // ends in onExit, after an EXIT event, as the host page's cleanup depends on it.
    function exit() {
      if (!overlay) { return; }
      close();
      var md = Object.assign({}, lastMetadata, { status: lastMetadata.status || null });
      call("onEvent", "EXIT", Object.assign({ exit_status: md.status, error_code: null,
        timestamp: new Date().toISOString() }, md));
      call("onExit", null, md);
    }

    function destroy() {
      destroyed = true;
      close();
      window.removeEventListener("message", onMessage);
    }

    // Real Link calls onLoad once its iframe assets are ready; ours are local.
    setTimeout(function () { call("onLoad"); }, 0);
    return { open: open, exit: exit, destroy: destroy, submit: function () {} };
  }

  window.Plaid = { create: create, version: "emulator-2.0" };
})();
