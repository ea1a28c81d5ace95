// A table wider than its box scrolls sideways; make such a table reachable and named for keyboard
// and screen reader users, and undo it when the table fits again (after a resize).
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".data-table, .table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var caption = box.querySelector("caption");
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", box.tagName === "TABLE" ? "table" : "region");
        if (caption && !box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.getAttribute("data-keep-tabindex") === null && box.tagName === "TABLE") {
        box.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", function () { window.requestAnimationFrame(mark); });
})();

// A form marked data-unsaved-warning asks before the page is left (the browser's back button, a
// closed tab) while it holds changes not yet posted. Every button of the form saves, so none warns.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
      var changed = false;
      form.addEventListener("input", function () { changed = true; });
      form.addEventListener("change", function () { changed = true; });
      form.addEventListener("submit", function () { changed = false; });
      window.addEventListener("beforeunload", function (event) {
        if (!changed) { return; }
        event.preventDefault();
        event.returnValue = form.getAttribute("data-unsaved-warning");
      });
    });
  });
})();
