// Every data table sits in its own scroll box: a region named after the table that keyboard users
// can reach, shaded at its edge with a short hint only while the table is wider than the box.
(function () {
  "use strict";
  function boxOf(table) {
    var box = table.closest(".table-scroll");
    if (box) {
      return box;
    }
    box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }
  function name(table, box) {
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) {
      return;
    }
    var caption = table.querySelector("caption");
    var label = table.getAttribute("aria-labelledby");
    if (caption) {
      if (!caption.id) {
        caption.id = (table.id || "table-" + Math.random().toString(36).slice(2)) + "-caption";
      }
      box.setAttribute("aria-labelledby", caption.id);
    } else if (label) {
      box.setAttribute("aria-labelledby", label);
    } else if (table.getAttribute("aria-label")) {
      box.setAttribute("aria-label", table.getAttribute("aria-label"));
    }
  }
  function mark() {
    var hintText = document.documentElement.getAttribute("data-scroll-hint") || "";
    document.querySelectorAll("table.data-table").forEach(function (table) {
      var box = boxOf(table);
      name(table, box);
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-wide", wide);
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = hintText;
        box.parentNode.insertBefore(hint, box);
      }
      hint.classList.toggle("is-shown", wide && hintText !== "");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
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
