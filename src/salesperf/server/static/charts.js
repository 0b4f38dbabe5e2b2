// Draws every chart of the page with the locally served Vega bundle (window.vegaEmbed), in the
// page's language (number and date formats from #chart-locale). No network access.
(function () {
  "use strict";
  function draw() {
    var localeEl = document.getElementById("chart-locale");
    var locale = localeEl ? JSON.parse(localeEl.textContent) : {};
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source || typeof window.vegaEmbed !== "function") { return; }
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(el, spec, {
        mode: "vega-lite",
        actions: false,
        renderer: "svg",
        loader: { target: "_self" },  // a chart's links open here, as a table's do
        formatLocale: locale.formatLocale,
        timeFormatLocale: locale.timeFormatLocale
      }).then(function () { el.setAttribute("data-drawn", "1"); })
        .catch(function (err) { el.textContent = String(err); el.setAttribute("data-error", "1"); });
    });
  }
  // a rep's diagnosis opened from the quadrant: bring it into view and give it the focus
  function focusTarget() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && target.hasAttribute("tabindex")) { target.focus(); }
  }
  [draw, focusTarget].forEach(function (fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  });
})();
