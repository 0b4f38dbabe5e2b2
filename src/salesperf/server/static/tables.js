// Sortable tables, as progressive enhancement: every heading of a table.sortable (but those
// marked data-sort="none") becomes a button that sorts the body's rows on its column, and
// says so with aria-sort. Numbers sort on the raw value in the cell's data-value (missing
// values last), text in the page's language. Without this script the table reads as before.
(function () {
  "use strict";
  var collator = new Intl.Collator(document.documentElement.lang || undefined,
                                   { numeric: true, sensitivity: "base" });

  function key(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return null; }
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      var n = raw === null || raw === "" ? NaN : Number(raw);
      return isNaN(n) ? null : n;
    }
    return cell.textContent.trim();
  }

  function sort(table, th, index) {
    var numeric = th.getAttribute("data-sort") === "num";
    var current = th.getAttribute("aria-sort");
    // numbers first from the largest, words from A; a second click turns the order round
    var descending = current ? current === "ascending" : numeric;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, i) { return { row: row, k: key(row, index, numeric), i: i }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {
        return a.k === b.k ? a.i - b.i : (a.k === null ? 1 : -1);  // missing values last
      }
      var c = numeric ? a.k - b.k : collator.compare(a.k, b.k);
      if (descending) { c = -c; }
      return c || a.i - b.i;
    });
    keyed.forEach(function (x) { body.appendChild(x.row); });
    table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var head = table.tHead.rows[table.tHead.rows.length - 1];
    Array.prototype.forEach.call(head.cells, function (th, index) {
      if (th.getAttribute("data-sort") === "none" || th.querySelector("button.sort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sort(table, th, index); });
    });
    table.setAttribute("data-sortable", "1");
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
