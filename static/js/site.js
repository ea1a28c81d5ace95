// Every data table sits in its own scroll box. While the table is wider than the box, the box is a
// region keyboard users can reach and scroll, named after the table and the section it is in (so
// two "Scores per audit" tables are told apart), shaded at its edge with a short hint.
(function () {
  "use strict";
  var counter = 0;
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
  function idOf(element) {
    if (!element.id) {
      counter += 1;
      element.id = "scroll-name-" + counter;
    }
    return element.id;
  }
  function name(table, box) {
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) {
      return;
    }
    var parts = [];
    var section = box.closest("section[aria-labelledby]");
    if (section) {
      parts.push(section.getAttribute("aria-labelledby"));
    }
    var caption = table.querySelector("caption");
    if (caption) {
      parts.push(idOf(caption));
    } else if (table.getAttribute("aria-labelledby")) {
      parts.push(table.getAttribute("aria-labelledby"));
    }
    if (parts.length) {
      box.setAttribute("aria-labelledby", parts.join(" "));
      box.setAttribute("data-named-here", "");
    } else if (table.getAttribute("aria-label")) {
      box.setAttribute("aria-label", table.getAttribute("aria-label"));
      box.setAttribute("data-named-here", "");
    }
  }
  function mark() {
    var hintText = document.documentElement.getAttribute("data-scroll-hint") || "";
    document.querySelectorAll("table.data-table").forEach(function (table) {
      var box = boxOf(table);
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide) {
        name(table, box);
        box.setAttribute("role", "region");
        box.setAttribute("tabindex", "0");
      } else if (box.hasAttribute("data-named-here")) {  // a region of the page's own markup stays one
        ["role", "tabindex", "aria-labelledby", "aria-label", "data-named-here"].forEach(function (attribute) {
          box.removeAttribute(attribute);
        });
      }
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
