// PSM reporting rate: the last 12 months as bars (share submitted) with lines (on time, approved), in percent.
// The figures come from the page's json_script block (#reporting-chart-data); no inline script (CSP). The
// table under the chart gives the same figures for screen readers and for print.
(function () {
  var canvas = document.getElementById("reporting-chart");
  var box = document.getElementById("reporting-chart-box");
  var source = document.getElementById("reporting-chart-data");
  if (!canvas || !box || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  box.style.height = "280px";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.legend.submitted, data: data.submitted, backgroundColor: "#0d6efd", order: 3 },
        { type: "line", label: data.legend.on_time, data: data.on_time, borderColor: "#b35c00", backgroundColor: "#b35c00", order: 1 },
        { type: "line", label: data.legend.approved, data: data.approved, borderColor: "#146c43", backgroundColor: "#146c43", borderDash: [6, 3], order: 2 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "top", labels: { boxWidth: 14 } },
        tooltip: {
          callbacks: {
            label: function (item) {
              return item.dataset.label + ": " + (item.raw === null ? "—" : item.raw + "%");
            },
          },
        },
      },
      scales: {
        y: { beginAtZero: true, max: 100, ticks: { callback: function (value) { return value + "%"; } } },
        x: { ticks: { autoSkip: true, maxRotation: 0 } },
      },
    },
  });
})();
