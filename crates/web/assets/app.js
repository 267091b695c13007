// Qiangxian's page behaviours, each driven by an attribute in the templates. Plain JS, no
// inline script (the CSP allows scripts from the site only); every form still works without it.
//
//   data-confirm="…"  on a form, or on the button that submits it: asks before submitting.
//                     On a link: asks before following it.
//   data-guard        on a form: once a field changes, leaving the page (a link, reload, closing
//                     the tab, another form's button) warns until this form is submitted. A script
//                     that saves the form itself dispatches `qx:saved` on it to clear the warning.
//   data-print        on a button: prints the page (hidden without JS; see style.css).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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
