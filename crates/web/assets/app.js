// Qiangxian's page behaviours, each driven by an attribute in the templates. Plain JS, no
// inline script (the CSP allows scripts from the site only); every form still works without it.
//
//   data-confirm="…"  on a form, or on the button that submits it: asks before submitting.
//                     On a link: asks before following it.
//   data-guard        on a form: once a field changes, leaving the page (a link, reload, closing
//                     the tab, another form's button) warns until this form is submitted. A script
//                     that saves the form itself dispatches `qx:saved` on it to clear the warning.
//   data-print        on a button: prints the page (hidden without JS; see style.css).
//   data-inline="…"   on a form: saved in place (the same POST, sent without leaving the page),
//                     so what was typed elsewhere on the page stays; the attribute's text (已保存)
//                     or the server's error shows beside the button. Without JS the form posts
//                     and the page reloads as before.
//   data-max-bytes="N" on a file input: a chosen file over N bytes is named at once beside the box
//                     (the body's data-file-too-large text) and the choice is cleared, instead of
//                     uploading it only to be told; the rest of the form is sent as usual. The
//                     server keeps its own limit.
//
// A form shown again with a message beside a field (.field-error) is brought into view with that
// field focused, wherever it sits on the page: a form at the foot of a long list comes back at
// the top of the page otherwise, its message out of sight.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var message = document.querySelector("main .field-error");
    if (!message) return;
    var label = message.closest("label, td, li, p") || message;
    var field = label.querySelector("input:not([type=hidden]), select, textarea");
    label.scrollIntoView({ block: "center" });
    if (field) field.focus({ preventScroll: true });
  });

  // Guarded forms with edits not yet sent.
  var unsaved = new Set();

  function guardedForm(target) {
    var form = target && (target.form || (target.closest && target.closest("form")));
    return form && form.hasAttribute("data-guard") ? form : null;
  }

  function changed(e) {
    var form = guardedForm(e.target);
    if (form) unsaved.add(form);
  }
  document.addEventListener("input", changed, true);
  document.addEventListener("change", changed, true);

  // Asked first (capture), so that no other handler acts on a submission the person declines.
  document.addEventListener(
    "submit",
    function (e) {
      var button = e.submitter;
      var message =
        (button && button.getAttribute("data-confirm")) ||
        e.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true
  );

  // Released last (bubbling to the window), only for a submission that really goes ahead.
  window.addEventListener("submit", function (e) {
    if (!e.defaultPrevented) unsaved.delete(e.target);
  });

  // The status line beside a form's button, made on first use.
  function statusOf(form) {
    var el = form.querySelector(".inline-status");
    if (!el) {
      el = document.createElement("span");
      el.className = "inline-status";
      el.setAttribute("role", "status");
      var button = form.querySelector("button");
      if (button) button.insertAdjacentElement("afterend", el);
      else form.appendChild(el);
    }
    return el;
  }

  // What a refusal says: the messages of the form shown again beside its fields, else the error
  // page's card, else the status line when it says nothing readable.
  function errorText(html, status) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var beside = Array.prototype.map.call(doc.querySelectorAll("main .field-error"), function (e) {
      return e.textContent.trim();
    });
    if (beside.length) return beside.join("；");
    var card = doc.querySelector("main .error p, main .error, main");
    var text = card ? card.textContent.trim() : "";
    return text || String(status);
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.hasAttribute("data-inline") || !window.fetch) return;
    e.preventDefault();
    var status = statusOf(form);
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    status.className = "inline-status";
    status.textContent = "…";
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    })
      .then(function (resp) {
        var signedOut = new URL(resp.url, location.href).pathname === "/login";
        if (resp.ok && !signedOut) {
          unsaved.delete(form);
          status.textContent = form.getAttribute("data-inline");
          return;
        }
        if (signedOut) {
          // The session ended: a real submit shows the sign-in page (the guard warns first).
          form.submit();
          return;
        }
        return resp.text().then(function (html) {
          status.className = "inline-status error-text";
          status.textContent = errorText(html, resp.status);
        });
      })
      .catch(function () {
        status.className = "inline-status error-text";
        status.textContent = "✕";
      })
      .finally(function () {
        if (button) button.disabled = false;
      });
  });

  function megabytes(bytes) {
    return bytes >= 1048576 ? Math.round(bytes / 1048576) + " MB" : Math.round(bytes / 1024) + " KB";
  }

  document.addEventListener(
    "change",
    function (e) {
      var input = e.target;
      if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
      var max = Number(input.getAttribute("data-max-bytes"));
      var big = Array.prototype.filter.call(input.files || [], function (f) {
        return f.size > max;
      });
      var note = input.parentNode.querySelector(".file-too-large");
      if (big.length === 0) {
        if (note) note.remove();
        return;
      }
      if (!note) {
        note = document.createElement("span");
        note.className = "field-error file-too-large";
        note.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", note);
      }
      note.textContent = (document.body.getAttribute("data-file-too-large") || "{name} > {limit}")
        .replace("{name}", big.map(function (f) { return f.name; }).join("、"))
        .replace("{limit}", megabytes(max));
      input.value = "";
    },
    true
  );

  document.addEventListener("qx:saved", function (e) {
    unsaved.delete(e.target);
  });

  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("a[data-confirm], [data-print]");
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      e.preventDefault();
      window.print();
    } else if (!window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });

  window.addEventListener("beforeunload", function (e) {
    if (unsaved.size === 0) return;
    e.preventDefault();
    e.returnValue = "";
    return "";
  });
})();
