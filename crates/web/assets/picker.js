// Searchable pickers: a list of checkboxes (data-picker) gets a filter box that hides the
// choices not containing what is typed; chosen ones always stay visible. Without JS the
// filter box is hidden (style.css) and the whole list is there to tick.
(function () {
  "use strict";
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var filter = picker.querySelector("[data-picker-filter]");
    if (!filter) return;
    filter.addEventListener("input", function () {
      var q = filter.value.trim();
      picker.querySelectorAll(".picker-options label").forEach(function (label) {
        var box = label.querySelector("input");
        var show = q === "" || label.textContent.indexOf(q) >= 0 || (box && box.checked);
        label.hidden = !show;
      });
    });
    // Enter in the filter box filters; it must not submit the form.
    filter.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();
    });
  });
})();
