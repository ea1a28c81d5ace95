// Keep a task's progress page current without reloading it: fetch the page again every few
// seconds and swap in its #task-status box (a live region, so the change is announced) until the
// work is done or stopped. Without script, the page's <noscript> refresh does the same.
(function () {
  "use strict";
  var box = document.getElementById("task-status");
  if (!box || box.getAttribute("data-final") === "true" || !window.fetch || !window.DOMParser) {
    return;
  }
  var delay = 2000;
  function again(wait) {
    window.setTimeout(poll, wait);
  }
  function poll() {
    window.fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("task-status");
        if (!next) {
          throw new Error("no status on the page");
        }
        if (next.innerHTML !== box.innerHTML) {
          box.innerHTML = next.innerHTML;
        }
        box.setAttribute("data-state", next.getAttribute("data-state"));
        box.setAttribute("data-final", next.getAttribute("data-final"));
        if (next.getAttribute("data-final") !== "true") {
          delay = 2000;
          again(delay);
        }
      })
      .catch(function () {
        // The server or the network is busy: wait longer each time, up to half a minute.
        delay = Math.min(delay * 2, 30000);
        again(delay);
      });
  }
  again(delay);
})();
