// Coverage dashboard: the kelurahan most in need of PSM as horizontal bars (active and still needed PSM,
// stacked: together the target), one bar per line so that every name stays readable on a phone.
// The figures come from the page's json_script block (#coverage-chart-data); no inline script (CSP).
(function () {
  var canvas = document.getElementById("coverage-chart");
  var box = document.getElementById("coverage-chart-box");
  var source = document.getElementById("coverage-chart-data");
  if (!canvas || !box || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var BAR_HEIGHT = 30; // px per kelurahan: a label of one line and a bar a finger can point at
  var AXES_AND_LEGEND = 90;
  // The box sets the chart's height (maintainAspectRatio: false); CSSOM styles are allowed by the CSP.
  box.style.height = Math.max(200, data.labels.length * BAR_HEIGHT + AXES_AND_LEGEND) + "px";
  var short = function (label) {
    return label.length > 22 ? label.slice(0, 21) + "…" : label;
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.legend.active, data: data.active, backgroundColor: "#198754", stack: "psm" },
        { label: data.legend.needed, data: data.needed, backgroundColor: "#dc3545", stack: "psm" },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false, axis: "y" },
      plugins: {
        legend: { position: "top", labels: { boxWidth: 14 } },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length ? data.labels[items[0].dataIndex] : "";
            },
            footer: function (items) {
              return items.length ? data.legend.target + ": " + data.target[items[0].dataIndex] : "";
            },
          },
        },
      },
      scales: {
        x: { stacked: true, beginAtZero: true, grace: "5%", ticks: { precision: 0 } },
        y: {
          stacked: true,
          ticks: {
            autoSkip: false,
            font: { size: 13 },
            callback: function (value) {
              return short(this.getLabelForValue(value));
            },
          },
        },
      },
    },
  });
})();
