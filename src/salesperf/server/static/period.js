// The period picker (templates/_period.html) works as plain GET forms; this only improves it:
// the range's last day cannot lie before its first, a quick choice says it is being loaded,
// and a box marked invalid is unmarked as soon as it is typed in.
(function () {
  "use strict";

  function improve(picker) {
    var range = picker.querySelector(".period-range");
    if (range) {
      var from = range.querySelector('input[name="period_from"]');
      var to = range.querySelector('input[name="period_to"]');
      var keep = function () {
        if (from.value) {
          to.min = from.value;
          if (to.value && to.value < from.value) to.value = from.value;
        }
      };
      from.addEventListener("change", keep);
      keep();
    }
    var quick = picker.querySelector(".period-quick");
    if (quick) {
      quick.addEventListener("submit", function (event) {
        var chosen = event.submitter;
        if (!chosen) return;
        quick.querySelectorAll("button").forEach(function (b) {
          b.removeAttribute("aria-current");
        });
        chosen.setAttribute("aria-current", "true");
        quick.setAttribute("aria-busy", "true");
      });
    }
    var box = picker.querySelector('form.period input[name="period"]');
    if (box) {
      box.addEventListener("input", function () {
        box.removeAttribute("aria-invalid");
      });
    }
  }

  function start() {
    document.querySelectorAll(".period-picker").forEach(improve);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
