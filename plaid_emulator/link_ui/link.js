/* The Link look-alike's UI, running inside the emulator-origin iframe. It talks to the
 * emulator's /link/api/* endpoints and reports to the host page with postMessage. */
(function () {
  "use strict";
  var root = document.getElementById("link-root");
  var q = new URLSearchParams(window.location.search);
  var SOURCE = "plaid-emulator-link";
  var st = { token: q.get("token"), session: null, institution: null, status: null,
             error: null, client: "This Application", mode: "new", query: "" };

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { n.textContent = attrs[k]; }
      else if (k.slice(0, 2) === "on") { n.addEventListener(k.slice(2), attrs[k]); }
      else { n.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { n.appendChild(c); } });
    return n;
  }

  function metadata() {
    return { institution: st.institution ? { name: st.institution.name,
             institution_id: st.institution.institution_id } : null,
             status: st.status, link_session_id: st.session,
             request_id: st.error ? st.error.request_id || null : null };
  }

  function post(msg) {
    msg.source = SOURCE;
    window.parent.postMessage(msg, "*");
  }

  function event(name, extra) {
    var md = Object.assign({ link_session_id: st.session, timestamp: new Date().toISOString(),
      institution_id: st.institution ? st.institution.institution_id : null,
      institution_name: st.institution ? st.institution.name : null,
      error_code: st.error ? st.error.error_code : null, view_name: null,
      request_id: null, mfa_type: null, exit_status: null,
      institution_search_query: st.query || null }, extra || {});
    post({ type: "event", eventName: name, metadata: md });
  }

  function exit(error) {
    var err = error || st.error;
    var clean = err ? { error_type: err.error_type, error_code: err.error_code,
      error_message: err.error_message, display_message: err.display_message } : null;
    event("EXIT", { exit_status: st.status });
    post({ type: "exit", error: clean, metadata: metadata() });
  }

  function api(path, body) {
    body.link_session_id = st.session;
    return fetch("/link/api/" + path, { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" } }).then(function (r) { return r.json(); });
  }

  var SVG = "http://www.w3.org/2000/svg";
  function lockIcon() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "lock");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", "M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5A1.5 1.5 0 0 1 " +
      "12.5 15h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4zm2 0h4V5a2 2 0 1 0-4 0v2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function brand() {
    // "<client> uses Plaid to connect your bank", with a badge that says this is the emulator.
    return el("div", { class: "brand", id: "link-brand" }, [
      lockIcon(),
      el("span", { class: "brand-text" }, [el("strong", { text: st.client }),
        document.createTextNode(" uses "), el("strong", { text: "Plaid" }),
        document.createTextNode(" to connect your bank")]),
      el("span", { class: "badge", title: "A local Plaid emulator: no real bank is contacted",
                   text: "emulator" })]);
  }

  function trust(text) {
    return el("p", { class: "trust" }, [lockIcon(), el("span", { text: text })]);
  }

  function frame(title, subtitle, body, opts) {
    opts = opts || {};
    root.textContent = "";
    var head = el("header", { class: "top" }, [
      opts.back ? el("button", { class: "icon", type: "button", "aria-label": "Back",
                                 text: "\u2039", onclick: opts.back }) : el("span"),
      brand(),
      el("button", { class: "icon", type: "button", "aria-label": "Close", text: "\u00d7",
                     onclick: function () { exit(null); } })]);
    root.appendChild(head);
    if (st.institution && opts.bank !== false) {
      root.appendChild(el("div", { class: "bank-badge" }, [
        el("img", { src: "data:image/png;base64," + st.institution.logo, alt: "", width: "48",
                    height: "48" })]));
    }
    root.appendChild(el("h1", { text: title }));
    if (subtitle) { root.appendChild(el("p", { class: "sub", text: subtitle })); }
    root.appendChild(el("div", { class: "alert", role: "alert", id: "link-alert" }));
    root.appendChild(body);
    var first = root.querySelector("input, .inst");
    if (first) { first.focus(); }
  }

  function showError(err) {
    st.error = err;
    event("ERROR", { error_code: err.error_code });
    var box = document.getElementById("link-alert");
    if (box) { box.textContent = err.display_message || err.error_message; box.className = "alert on"; }
  }

  function busy(btn, on) { if (btn) { btn.disabled = on; } }

  // -- views ------------------------------------------------------------------------------
  function pickInstitution(list) {
    st.status = "institution_not_found";
    st.institution = null;
    var ul = el("ul", { class: "inst-list", "aria-label": "Banks" });
    function draw() {
      ul.textContent = "";
      list.filter(function (i) { return i.name.toLowerCase().indexOf(st.query.toLowerCase()) >= 0; })
        .forEach(function (i) {
          var b = el("button", { class: "inst", type: "button", onclick: function () { select(i); } },
            [el("img", { src: "data:image/png;base64," + i.logo, alt: "", width: "32", height: "32" }),
             el("span", { text: i.name })]);
          ul.appendChild(el("li", {}, [b]));
        });
    }
    var search = el("input", { id: "search", type: "search", autocomplete: "off",
      placeholder: "Search", oninput: function (e) { st.query = e.target.value; draw(); } });
    frame("Select your bank", "Find your bank to securely share your accounts with " +
      st.client + ".",
      el("div", {}, [el("label", { for: "search", class: "vh", text: "Search for your bank" }),
                     search, ul]), { bank: false });
    draw();
  }

  function select(inst) {
    st.institution = inst;
    event("SELECT_INSTITUTION");
    api("select", { institution_id: inst.institution_id }).then(function (r) {
      if (r.error) {
        frame("Connection unavailable", inst.name + " is not responding right now.",
          el("div", { class: "actions" }, [el("button", { class: "primary", type: "button",
            text: "Exit", onclick: function () { exit(null); } })]));
        return showError(r.error);
      }
      if (r.step === "oauth") { return oauthIntro(); }
      credentials();
    });
  }

  function credentials() {
    st.status = "requires_credentials";
    var user = el("input", { id: "username", name: "username", autocomplete: "username" });
    var pass = el("input", { id: "password", name: "password", type: "password",
                             autocomplete: "current-password" });
    var submit = el("button", { class: "primary", type: "submit", text: "Submit" });
    var form = el("form", { onsubmit: function (e) {
      e.preventDefault();
      busy(submit, true);
      event("SUBMIT_CREDENTIALS");
      api("credentials", { username: user.value, password: pass.value }).then(function (r) {
        busy(submit, false);
        if (r.error) { pass.value = ""; return showError(r.error); }
        next(r);
      });
    } }, [el("label", { for: "username", text: "Username" }), user,
          el("label", { for: "password", text: "Password" }), pass, submit,
          trust("Your credentials go only to " + st.institution.name + ". " + st.client +
                " never sees them.")]);
    frame("Log in at " + st.institution.name,
      "Enter your " + st.institution.name + " online banking credentials.", form,
      { back: st.mode === "new" ? start : null });
  }

  // One MFA round: a device code, a round of security questions, or a selection.
  function mfa(r) {
    st.status = "requires_code";
    var submit = el("button", { class: "primary", type: "submit", text: "Submit" });
    var fields = [], read;
    if (r.type === "questions") {
      var inputs = r.questions.map(function (label, j) {
        var id = "answer-" + j;
        fields.push(el("label", { for: id, text: label }));
        var input = el("input", { id: id, name: id, autocomplete: "off" });
        fields.push(input);
        return input;
      });
      read = function () { return { answers: inputs.map(function (i) { return i.value; }) }; };
    } else if (r.type === "selections") {
      var radios = r.options.map(function (opt, j) {
        var id = "choice-" + j;
        var radio = el("input", { type: "radio", id: id, name: "choice", value: opt });
        fields.push(el("label", { for: id, class: "choice" }, [radio,
          document.createTextNode(" " + opt)]));
        return radio;
      });
      read = function () {
        var on = radios.filter(function (x) { return x.checked; })[0];
        return { answers: on ? [on.value] : [] };
      };
    } else {
      var code = el("input", { id: "code", name: "code", inputmode: "numeric",
                               autocomplete: "one-time-code" });
      fields.push(el("label", { for: "code", text: "Verification code" }), code);
      read = function () { return { code: code.value }; };
    }
    var mfaType = { device: "code", questions: "questions", selections: "selections" }[r.type];
    var form = el("form", { onsubmit: function (e) {
      e.preventDefault();
      busy(submit, true);
      event("SUBMIT_MFA", { mfa_type: mfaType || "code" });
      api("mfa", read()).then(function (res) {
        busy(submit, false);
        if (res.error) { return showError(res.error); }
        next(res);
      });
    } }, fields.concat([submit]));
    var title = { questions: "Answer security questions", selections: "Confirm a selection" };
    frame(title[r.type] || "Enter verification code", r.prompt, form);
  }

  function oauthIntro() {
    st.status = "requires_oauth";
    var go = el("button", { class: "primary", type: "button", text: "Continue" });
    go.addEventListener("click", function () {
      busy(go, true);
      event("OPEN_OAUTH");
      api("oauth", {}).then(function (r) {
        if (r.error) { busy(go, false); return showError(r.error); }
        if (r.in_frame) { window.location.href = r.url; }
        else { post({ type: "redirect", url: r.url }); }
      });
    });
    frame("Continue to " + st.institution.name,
      "You will be sent to " + st.institution.name + " to log in and approve access, then " +
      "brought back here.", el("div", { class: "actions" }, [go]));
  }

  function accounts(r) {
    st.status = "requires_account_selection";
    if (!r.account_selection) { return complete([]); }
    var boxes = r.accounts.map(function (a) {
      var id = "acct-" + a.id;
      var cb = el("input", { type: "checkbox", id: id, value: a.id, "aria-label": a.name });
      cb.checked = !!a.selected;
      return { cb: cb, row: el("li", {}, [el("label", { for: id, class: "acct" }, [cb,
        el("span", { class: "acct-name" }, [document.createTextNode(a.name),
          a.new ? el("span", { class: "new-tag", text: "New" }) : null]),
        el("span", { class: "acct-meta", text: a.subtype + " \u2022\u2022\u2022\u2022 " + a.mask })])]) };
    });
    var go = el("button", { class: "primary", type: "button", text: "Continue" });
    go.addEventListener("click", function () {
      busy(go, true);
      complete(boxes.filter(function (b) { return b.cb.checked; }).map(function (b) {
        return b.cb.value; }), go);
    });
    var anyNew = r.accounts.some(function (a) { return a.new; });
    frame("Select accounts", anyNew ? "New accounts are available at " + st.institution.name +
      ". Choose the accounts to share with " + st.client + "." :
      "Choose the accounts to share with " + st.client + ".",
      el("div", {}, [el("ul", { class: "acct-list" }, boxes.map(function (b) { return b.row; })),
                     go]));
  }

  function complete(ids, btn) {
    api("complete", { account_ids: ids }).then(function (r) {
      busy(btn, false);
      if (r.error) { return showError(r.error); }
      st.status = "connected";
      event("HANDOFF");
      var done = el("button", { class: "primary", type: "button", text: "Continue",
        onclick: function () { post({ type: "success", public_token: r.public_token,
                                      metadata: r.metadata }); } });
      frame("Success", "Your " + st.institution.name + " account is connected to " +
        st.client + ".", el("div", { class: "actions" }, [el("div", { class: "check",
        "aria-hidden": "true", text: "\u2713" }), done]));
    });
  }

  function next(r) {
    if (r.step === "mfa") { return mfa(r); }
    if (r.step === "accounts") { return accounts(r); }
  }

  var institutions = [];
  function start() { pickInstitution(institutions); }

  fetch("/link/api/init", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: st.token,
                           received_redirect_uri: q.get("received_redirect_uri") }) })
    .then(function (r) { return r.json(); })
    .then(function (r) {
      if (r.error) { st.error = r.error; return exit(r.error); }
      st.session = r.link_session_id;
      st.client = r.client_name;
      st.mode = r.mode;
      institutions = r.institutions;
      event("OPEN");
      if (r.institution) { st.institution = r.institution; }
      if (r.step === "accounts") { return accounts(r); }
      if (r.mode === "update") { return select(r.institution); }
      start();
    });
})();
