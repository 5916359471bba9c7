// Printable pages (templates/includes/print_base.html). No inline scripts: behaviour hangs on data attributes.

// A button with data-print opens the browser's print dialog.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
