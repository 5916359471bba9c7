// Coverage dashboard: active and still-needed PSM per kelurahan as bars, the PSM target as a line.
// The figures come from the page's json_script block (#coverage-chart-data); no inline script (CSP).
(function () {
  var canvas = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.legend.active, data: data.active, backgroundColor: "#198754", stack: "psm" },
        { type: "bar", label: data.legend.needed, data: data.needed, backgroundColor: "#dc3545", stack: "psm" },
        {
          type: "line",
          label: data.legend.target,
          data: data.target,
          borderColor: "#0d6efd",
          backgroundColor: "#0d6efd",
          borderDash: [6, 4],
          pointRadius: 3,
          fill: false,
        },
      ],
    },
    options: {
      responsive: true,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true, ticks: { autoSkip: false, maxRotation: 60 } },
        y: { stacked: true, beginAtZero: true, grace: "10%", ticks: { precision: 0 } },
      },
    },
  });
})();
