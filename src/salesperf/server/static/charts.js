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
        formatLocale: locale.formatLocale,
        timeFormatLocale: locale.timeFormatLocale
      }).then(function () { el.setAttribute("data-drawn", "1"); })
        .catch(function (err) { el.textContent = String(err); el.setAttribute("data-error", "1"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
