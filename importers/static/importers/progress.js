// Polls the import's progress until it finishes, then shows the report.
(function () {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const url = box.dataset.statusUrl;
  async function poll() {
    const response = await fetch(url, { credentials: "same-origin" });
    const data = await response.json();
    const bar = document.getElementById("import-bar");
    bar.max = data.total || 1;
    bar.value = data.done;
    document.getElementById("import-count").textContent =
      data.total ? `${data.done} / ${data.total}` : "";
    document.getElementById("import-status").textContent = data.status_display;
    if (data.status === "running") {
      setTimeout(poll, 1000);
    } else {
      document.getElementById("import-report").textContent = data.report;
    }
  }
  poll();
})();
