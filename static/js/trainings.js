// Training pages. No inline scripts: behaviour hangs on data attributes.

// A checkbox with data-select-all="<name>" ticks or clears every checkbox named <name> in its form.
document.addEventListener("change", function (event) {
  const toggle = event.target.closest("input[data-select-all]");
  if (!toggle) {
    return;
  }
  const name = toggle.dataset.selectAll;
  toggle.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = toggle.checked;
  });
});

// A button with data-print opens the browser's print dialog (the certificate page).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A hint with data-scroll-hint="<table id>" shows only while that table is wider than its box (it then
// scrolls sideways inside the box, not the page).
function showScrollHints() {
  document.querySelectorAll("[data-scroll-hint]").forEach(function (hint) {
    const table = document.getElementById(hint.dataset.scrollHint);
    const box = table && table.closest(".table-responsive");
    hint.hidden = !box || box.scrollWidth <= box.clientWidth + 1;
  });
}
document.addEventListener("DOMContentLoaded", showScrollHints);
window.addEventListener("resize", showScrollHints);
