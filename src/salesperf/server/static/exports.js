// The exports page: the CSV and header choices apply to every link; an Excel export of a table
// is written as a job on the server, whose progress is shown until its file can be downloaded.
(function () {
  "use strict";
  const options = document.getElementById("export-form");
  const tables = document.getElementById("export-tables");
  if (!options || !tables) return;

  function chosen() {
    const data = new FormData(options);
    return { csv: data.get("csv"), headers: data.get("headers") };
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
  }

  function applyChoices() {
    const { csv, headers } = chosen();
    document.querySelectorAll("a[data-export-link]").forEach((a) => {
      const url = new URL(a.getAttribute("href"), location.href);
      if (url.searchParams.get("format") === "csv") url.searchParams.set("csv", csv);
      url.searchParams.set("headers", headers);
      a.setAttribute("href", url.pathname + url.search);
    });
    document.querySelectorAll("form[data-export-options]").forEach((f) => {
      f.elements.namedItem("csv").value = csv;
      f.elements.namedItem("headers").value = headers;
    });
  }
  options.addEventListener("change", applyChoices);
  applyChoices();

  // a job's JSON, or for an error (a page) its status
  async function answer(r) {
    try {
      return await r.json();
    } catch {
      return { state: "failed", error: r.status + " " + r.statusText };
    }
  }

  const number = new Intl.NumberFormat(document.documentElement.lang || "en");

  async function poll(url, status) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    const job = await answer(r);
    if (!r.ok || job.state === "failed") {
      status.textContent = fill(tables.dataset.failed, { error: job.error || r.statusText });
      return;
    }
    if (job.state === "done") {
      status.textContent = "";
      const a = document.createElement("a");
      a.href = job.download;
      a.textContent = fill(tables.dataset.download, { file: job.file });
      status.appendChild(a);
      return;
    }
    status.textContent = fill(tables.dataset.progress, {
      written: number.format(job.written), total: number.format(job.total),
    });
    setTimeout(() => poll(url, status), 500);
  }

  tables.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-export-job]");
    if (!link) return;
    event.preventDefault();
    const status = link.closest("tr").querySelector("[data-export-status]");
    const body = new FormData();
    body.set("table", link.dataset.exportJob);
    body.set("headers", chosen().headers);
    body.set("csrf_token", tables.dataset.csrf);
    status.textContent = tables.dataset.starting;
    const r = await fetch("/export/jobs", {
      method: "POST", body, headers: { Accept: "application/json" },
    });
    const job = await answer(r);
    if (!r.ok) {
      status.textContent = fill(tables.dataset.failed, { error: job.error || r.statusText });
      return;
    }
    poll(job.progress, status);
  });
})();
