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
  function fail(message) {
    show(statusEl, "");
    show(errorEl, message || "Something went wrong. Please try again.");
    if (button) button.disabled = false;
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
        .then(function (data) { return { ok: response.ok, data: data }; });
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
            fail(result.data.error);
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
        if (error) {
          fail(error.display_message || error.error_message || "The bank sign-in did not finish.");
        } else {
          show(statusEl, "");
          if (button) button.disabled = false;
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
      show(errorEl, "");
      show(statusEl, "Opening Plaid…");
      var item = root.getAttribute("data-item");
      postJSON(root.getAttribute("data-token-url"), item ? { item: item } : {})
        .then(function (result) {
          if (!result.ok || !result.data.link_token) return fail(result.data.error);
          openLink(result.data.link_token, null);
        })
        .catch(function () { fail("We could not reach the site. Please try again."); });
    });
  }
})();
