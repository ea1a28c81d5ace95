/* Draw every chart of the page from the JSON embedded next to it (no inline script), and keep a
   picture of each at paper width for printing: plotly's live charts do not resize to the page.
   The chart library (data-plotly on this script's tag) loads only after the first words are on
   screen, once a chart nears it or the page is idle; each chart is drawn as it scrolls into view,
   or then. */
(function () {
  "use strict";
  var PRINT_WIDTH = 680;
  // Draw the chart again, off screen at paper width, clear its legend there, and keep that picture:
  // the legend wraps differently at 680 px than on the screen, so the screen's margins do not do.
  function printCopy(element, figure) {
    var holder = document.createElement("div");
    holder.setAttribute("aria-hidden", "true");
    holder.style.cssText = "position:absolute;left:-10000px;top:0;width:" + PRINT_WIDTH + "px";
    document.body.appendChild(holder);
    var layout = Object.assign({}, figure.layout, { width: PRINT_WIDTH });
    return Plotly.newPlot(holder, figure.data, layout, { staticPlot: true }).then(function () {
      return clearLegend(holder);
    }).then(function () {
      return Plotly.toImage(holder, { format: "svg", width: PRINT_WIDTH, height: holder._fullLayout.height });
    }).then(function (url) {
      var image = document.createElement("img");
      image.className = "chart-print";
      image.src = url;
      image.alt = element.getAttribute("aria-label") || "";
      element.insertAdjacentElement("afterend", image);
    }).finally(function () {
      Plotly.purge(holder);
      holder.remove();
    });
  }
  var NARROW = 600;
  var WIDE_CHARACTERS = /[\u2e80-\u9fff\uff00-\uffef]/;
  // Break a label into lines of about `width` Latin letters: at spaces and after hyphens, and
  // between any two characters of Chinese text, counting a Chinese character as two letters.
  function measure(text) {
    var size = 0;
    for (var index = 0; index < text.length; index += 1) {
      size += WIDE_CHARACTERS.test(text[index]) ? 2 : 1;
    }
    return size;
  }
  // The places a line may end: [piece, the text joining it to the piece before].
  function pieces(text) {
    var result = [];
    text.split(" ").forEach(function (word, wordIndex) {
      var parts = WIDE_CHARACTERS.test(word) ? word.split("") : word.split(/(?<=-)/);
      parts.forEach(function (part, index) {
        result.push([part, index === 0 && wordIndex > 0 ? " " : ""]);
      });
    });
    return result;
  }
  function wrapLabel(text, width) {
    var lines = [];
    var line = "";
    pieces(text).forEach(function (piece) {
      var joined = line + piece[1] + piece[0];
      if (line && measure(joined) > width) {
        lines.push(line);
        line = piece[0];
      } else {
        line = joined;
      }
    });
    lines.push(line);
    return lines.join("<br>");
  }
  // On a phone, wrap the names along each category axis and keep them upright, so the plot keeps
  // most of the width and no name is clipped.
  function wrapTicks(element) {
    if (element.clientWidth >= NARROW) {
      return Promise.resolve();
    }
    var update = {};
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = element._fullLayout[name];
      if (!axis) {
        return;
      }
      update[name + ".automargin"] = true;
      if (axis.type === "category" && axis._categories && axis._categories.length) {
        update[name + ".tickmode"] = "array";
        // By position: a category that reads as a number ("2025") would be taken for one.
        update[name + ".tickvals"] = axis._categories.map(function (category, index) { return index; });
        update[name + ".ticktext"] = axis._categories.map(function (category) {
          return wrapLabel(String(category), name === "yaxis" ? 16 : 12);
        });
        update[name + ".tickangle"] = 0;
        update[name + ".tickfont.size"] = 11;
      }
    });
    return Plotly.relayout(element, update);
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
  // The chart library is loaded only once a chart is near the screen, or once the page has
  // loaded and the browser is idle, never before the first paint: the words and tables come
  // first, on a slow phone too.
  var script = document.currentScript;
  var PLOTLY = script && script.dataset.plotly;
  var loading = null;
  function loadPlotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (typeof Plotly !== "undefined") {
          resolve();
          return;
        }
        var tag = document.createElement("script");
        tag.src = PLOTLY;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }
  var drawn = new Map();
  function drawOne(element) {
    if (!drawn.has(element)) {
      var source = document.getElementById(element.dataset.figure);
      drawn.set(element, loadPlotly().then(function () {
        var figure = JSON.parse(source.textContent);
        return Plotly.newPlot(element, figure.data, figure.layout, {
          displayModeBar: false,
          responsive: true,
          staticPlot: false,
        });
      }).then(function () {
        return wrapTicks(element);
      }).then(function () {
        return clearLegend(element);
      }));
    }
    return drawn.get(element);
  }
  function whenIdle(callback) {
    if ("requestIdleCallback" in window) {
      window.requestIdleCallback(callback, { timeout: 2000 });
    } else {
      window.setTimeout(callback, 200);
    }
  }
  // Run once the page's first words are on screen, so the chart library never holds them up.
  function afterFirstPaint(callback) {
    var painted = function () {
      return performance.getEntriesByName("first-contentful-paint").length > 0;
    };
    if (painted() || !("PerformanceObserver" in window)) {
      window.requestAnimationFrame(function () { window.setTimeout(callback, 0); });
      return;
    }
    var observer = new PerformanceObserver(function () {
      if (painted()) {
        observer.disconnect();
        callback();
      }
    });
    observer.observe({ type: "paint", buffered: true });
  }
  var ready = null;
  function draw() {
    var elements = Array.prototype.filter.call(document.querySelectorAll("[data-figure]"), function (element) {
      return document.getElementById(element.dataset.figure);
    });
    if (elements.length && PLOTLY) {
      ready = new Promise(function (resolve) { afterFirstPaint(resolve); }).then(function () {
        return drawAll(elements);
      });
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        // Print once every chart has its picture for paper.
        (ready || Promise.resolve()).then(function () { window.print(); });
      });
    });
  }
  // Draw each chart as it nears the screen, and the rest one after another once the page is idle
  // (so that a printed page has every chart); then each one's picture for paper.
  function drawAll(elements) {
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            drawOne(entry.target);
          }
        });
      }, { rootMargin: "300px 0px" });
      elements.forEach(function (element) { observer.observe(element); });
    }
    return new Promise(function (resolve) {
      var start = function () {
        whenIdle(function () {
          elements.reduce(function (previous, element) {
            return previous.then(function () { return drawOne(element); });
          }, Promise.resolve()).then(function () {
            // Every chart is on screen: the browser tests and the benchmark read this mark.
            performance.mark("charts-drawn");
            return elements.reduce(function (previous, element) {
              return previous.then(function () {
                // A fresh copy: plotly keeps and changes the objects it was given.
                return printCopy(element, JSON.parse(document.getElementById(element.dataset.figure).textContent));
              });
            }, Promise.resolve());
          }).then(resolve, resolve);
        });
      };
      if (document.readyState === "complete") {
        start();
      } else {
        window.addEventListener("load", start);
      }
    }).then(function () {
      // Every chart has its picture for print too.
      document.documentElement.setAttribute("data-charts-ready", "true");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
