// PMKS grid: the live total of the figures typed so far (blank or invalid entries count as nothing).
(function () {
  var output = document.getElementById("pmks-live-total");
  if (!output) {
    return;
  }
  function update() {
    var total = 0;
    document.querySelectorAll("input.js-pmks-count").forEach(function (input) {
      var value = input.value.trim();
      if (/^\d+$/.test(value)) {
        total += parseInt(value, 10);
      }
    });
    output.textContent = String(total);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("input.js-pmks-count")) {
      update();
    }
  });
  update();
})();
