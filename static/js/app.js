// Selects marked js-autosubmit submit their form on change (filters, language). No inline scripts.
document.addEventListener("change", function (event) {
  if (event.target.matches("select.js-autosubmit")) {
    event.target.form.submit();
  }
});
