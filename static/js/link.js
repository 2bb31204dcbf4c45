// Plaid Link wiring for /link/, /oauth-callback and /banks/<id>/reconnect/.
// No inline scripts (CSP): everything comes from data-* attributes on [data-plaid-link].
(function () {
  "use strict";

  // Institution colours: set through the CSSOM, which the CSP allows (style attributes it does not).
  document.querySelectorAll("[data-brand-color]").forEach(function (el) {
    var color = el.getAttribute("data-brand-color");
    if (/^#[0-9a-fA-F]{3,8}$/.test(color)) el.style.borderLeftColor = color;
  });

  var root = document.querySelector("[data-plaid-link]");
  if (!root) return;

  var mode = root.getAttribute("data-mode"); // "new" | "update" | "oauth"
  var button = root.querySelector("[data-link-open]");
  var statusEl = root.querySelector("[data-link-status]");
  var errorEl = root.querySelector("[data-link-error]");

  function show(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }

  // What to do next, by Plaid's error code (Link's onExit error, or our server's answer).
  var NEXT_STEPS = {
    INSTITUTION_DOWN: "The bank is having trouble right now. Try again in a little while, or pick another bank.",
    INSTITUTION_NOT_RESPONDING: "The bank is having trouble right now. Try again in a little while, or pick another bank.",
    INSTITUTION_NOT_AVAILABLE: "This bank can't be connected through Plaid at the moment. Pick another bank, or try again later.",
    INSTITUTION_NO_LONGER_SUPPORTED: "Plaid no longer supports this bank. Pick another bank.",
    RATE_LIMIT_EXCEEDED: "Too many attempts in a short time. Wait a minute, then try again.",
    RATE_LIMIT: "Too many attempts in a short time. Wait a minute, then try again.",
    INVALID_CREDENTIALS: "Check your username and password at the bank, then try again.",
  };
  var DEFAULT_NEXT = "Nothing was connected. Try again, or pick another bank.";

  // A styled notice: what happened in bold, then what to do next (text only: no HTML from
  // Plaid or the server is ever parsed).
  function notice(kind, message, next) {
    errorEl.replaceChildren();
    errorEl.className = "banner link-notice banner-" + kind;
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = message;
    head.appendChild(strong);
    errorEl.appendChild(head);
    if (next) {
      var tail = document.createElement("p");
      tail.textContent = next;
      errorEl.appendChild(tail);
    }
    errorEl.hidden = false;
  }
  function fail(message, code) {
    show(statusEl, "");
    notice("error", message || "Something went wrong.", NEXT_STEPS[code] || DEFAULT_NEXT);
    if (button) button.disabled = false;
  }
  function clearNotice() {
    errorEl.replaceChildren();
    errorEl.hidden = true;
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": root.getAttribute("data-csrf"),
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response
        .json()
        .catch(function () { return {}; })
        .then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    });
  }

  function isUpdate() {
    return mode === "update" || root.getAttribute("data-purpose") === "update";
  }

  function onSuccess(linkToken) {
    return function (publicToken, metadata) {
      show(statusEl, "Saving your connection…");
      var body = isUpdate()
        ? { metadata: metadata, link_token: linkToken }
        : { public_token: publicToken, metadata: metadata, link_token: linkToken };
      postJSON(root.getAttribute("data-success-url"), body)
        .then(function (result) {
          if (result.ok && result.data.redirect) {
            window.location.assign(result.data.redirect);
          } else {
            fail(result.data.error, result.data.error_code);
          }
        })
        .catch(function () { fail("We could not reach the site. Please try again."); });
    };
  }

  function openLink(linkToken, receivedRedirectUri) {
    if (!window.Plaid || !window.Plaid.create) {
      fail("Plaid Link could not be loaded. Check your connection and try again.");
      return;
    }
    var config = {
      token: linkToken,
      onSuccess: onSuccess(linkToken),
      onExit: function (error) {
        show(statusEl, "");
        if (button) button.disabled = false;
        if (error) {
          fail(
            error.display_message || error.error_message || "The bank sign-in did not finish.",
            error.error_code
          );
        } else {
          notice("info", "You closed Plaid before finishing, so nothing was connected.",
            "Connect a bank whenever you're ready; it takes about a minute.");
        }
      },
    };
    // Only on the OAuth return: passing it on the first open makes Link fail.
    if (receivedRedirectUri) config.receivedRedirectUri = receivedRedirectUri;
    window.Plaid.create(config).open();
  }

  if (mode === "oauth") {
    openLink(root.getAttribute("data-link-token"), window.location.href);
    return;
  }

  if (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      clearNotice();
      show(statusEl, "Opening Plaid…");
      var item = root.getAttribute("data-item");
      postJSON(root.getAttribute("data-token-url"), item ? { item: item } : {})
        .then(function (result) {
          if (!result.ok || !result.data.link_token) {
            return fail(result.data.error, result.status === 429 ? "RATE_LIMIT" : result.data.error_code);
          }
          openLink(result.data.link_token, null);
        })
        .catch(function () { fail("We could not reach the site. Please try again."); });
    });
    // "Link a bank" elsewhere on the site comes here with ?start=1: one click opens Plaid.
    if (root.hasAttribute("data-autostart")) button.click();
  }
})();
