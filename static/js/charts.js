/* Draw every chart of the page from the JSON embedded next to it (no inline script), and keep a
   picture of each at paper width for printing: plotly's live charts do not resize to the page. */
(function () {
  "use strict";
  var PRINT_WIDTH = 680;
  function printCopy(element, figure) {
    var height = (figure.layout && figure.layout.height) || 340;
    return Plotly.toImage(element, { format: "svg", width: PRINT_WIDTH, height: height }).then(function (url) {
      var image = document.createElement("img");
      image.className = "chart-print";
      image.src = url;
      image.alt = element.getAttribute("aria-label") || "";
      element.insertAdjacentElement("afterend", image);
    });
  }
  function overlap(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  // Widen the bottom margin until neither axis title meets the legend (tick labels wrap at phone width).
  function clearLegend(element, tries) {
    tries = tries || 0;
    var legend = element.querySelector(".legend");
    if (!legend || tries > 8) {
      return Promise.resolve();
    }
    var box = legend.getBoundingClientRect();
    var push = 0;
    element.querySelectorAll(".g-xtitle, .g-ytitle").forEach(function (title) {
      var own = title.getBoundingClientRect();
      if (own.width && overlap(own, box)) {
        push = Math.max(push, own.bottom - box.top + 8);
      }
    });
    if (!push) {
      return Promise.resolve();
    }
    var margin = element._fullLayout.margin;
    return Plotly.relayout(element, { "margin.b": margin.b + push, height: element._fullLayout.height + push }).then(function () {
      return clearLegend(element, tries + 1);
    });
  }
  function draw() {
    var pending = [];
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || typeof Plotly === "undefined") {
        return;
      }
      var figure = JSON.parse(source.textContent);
      pending.push(
        Plotly.newPlot(element, figure.data, figure.layout, {
          displayModeBar: false,
          responsive: true,
          staticPlot: false,
        }).then(function () {
          return clearLegend(element);
        }).then(function () {
          return figure;
        })
      );
    });
    Promise.all(pending).then(function (figures) {
      // When the charts are on screen: the browser tests read this to report drawing time.
      performance.mark("charts-drawn");
      var elements = document.querySelectorAll("[data-figure]");
      return Promise.all(figures.map(function (figure, index) { return printCopy(elements[index], figure); }));
    }).then(function () {
      document.documentElement.setAttribute("data-charts-ready", "true");
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
