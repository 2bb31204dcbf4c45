// Inline editing of a transaction's category and notes. Without JS the Edit link opens a page
// with the same form (POST /transactions/<id>/), so this file only makes it quicker.
(function () {
  "use strict";

  var template = document.getElementById("txn-edit-template");
  var table = document.getElementById("txn-table");
  var announcer = document.getElementById("txn-status");
  if (!template || !table || !window.fetch) return;

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  function closeEditor(row, focusEdit) {
    var next = row.nextElementSibling;
    if (next && next.classList.contains("txn-edit-row")) next.remove();
    var link = row.querySelector(".js-edit");
    link.setAttribute("aria-expanded", "false");
    if (focusEdit) link.focus();
  }

  function openEditor(row, link) {
    var existing = row.nextElementSibling;
    if (existing && existing.classList.contains("txn-edit-row")) {
      closeEditor(row, true);
      return;
    }
    var fragment = template.content.cloneNode(true);
    var editRow = fragment.querySelector("tr");
    var form = editRow.querySelector("form");
    var id = row.getAttribute("data-txn");
    // Unique ids per open editor so every label points at its own control.
    editRow.querySelectorAll("[data-id]").forEach(function (el) {
      el.id = "edit-" + id + "-" + el.getAttribute("data-id");
    });
    editRow.querySelectorAll("label[data-for]").forEach(function (label) {
      label.htmlFor = "edit-" + id + "-" + label.getAttribute("data-for");
    });
    form.action = link.getAttribute("data-url");
    var select = form.elements.category_override;
    var bankOption = select.querySelector("[data-bank-option]");
    bankOption.textContent = "Bank's category (" + link.getAttribute("data-bank-category") + ")";
    select.value = link.getAttribute("data-category-override") || "";
    form.elements.notes.value = link.getAttribute("data-notes") || "";
    row.after(editRow);
    link.setAttribute("aria-expanded", "true");
    select.focus();

    form.querySelector(".js-cancel").addEventListener("click", function () {
      closeEditor(row, true);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeEditor(row, true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(row, link, form);
    });
  }

  function save(row, link, form) {
    var status = form.querySelector(".save-status");
    var button = form.querySelector("button[type=submit]");
    status.classList.remove("is-error");
    status.textContent = "Saving…";
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
      },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        button.disabled = false;
        if (!result.ok || !result.data.ok) {
          var errors = (result.data && result.data.errors) || {};
          var first = Object.keys(errors)[0];
          status.classList.add("is-error");
          status.textContent = first ? errors[first][0].message : "Could not save. Try again.";
          return;
        }
        var data = result.data;
        row.querySelector(".js-category").textContent = data.category_label;
        var edited = row.querySelector(".js-edited");
        if (data.category_override && !edited) {
          edited = document.createElement("span");
          edited.className = "badge badge-info js-edited";
          edited.textContent = "Edited";
          row.querySelector(".js-category").after(" ", edited);
        } else if (!data.category_override && edited) {
          edited.remove();
        }
        row.querySelector(".js-notes-text").textContent = data.notes;
        row.querySelector(".js-notes").hidden = !data.notes;
        row.querySelector(".js-notes-break").hidden = !data.notes;
        link.setAttribute("data-category-override", data.category_override);
        link.setAttribute("data-notes", data.notes);
        closeEditor(row, true);
        announce("Saved. Category: " + data.category_label + ".");
      })
      .catch(function () {
        button.disabled = false;
        status.classList.add("is-error");
        status.textContent = "Could not reach the server. Try again.";
      });
  }

  table.addEventListener("click", function (event) {
    var link = event.target.closest(".js-edit");
    if (!link) return;
    event.preventDefault();
    openEditor(link.closest("tr"), link);
  });
  table.querySelectorAll(".js-edit").forEach(function (link) {
    link.setAttribute("role", "button");
    link.setAttribute("aria-expanded", "false");
  });
})();
