// Selects marked js-autosubmit submit their form on change (filters, language). No inline scripts.
document.addEventListener("change", function (event) {
  if (event.target.matches("select.js-autosubmit")) {
    event.target.form.submit();
  }
});
// A box that scrolls sideways (a wide table on a phone) takes keyboard focus, so that it can be scrolled
// without a mouse (WCAG 2.1.1; axe-core: scrollable-region-focusable). One that fits is no tab stop.
(function () {
  var boxes = document.querySelectorAll(".table-responsive, .scroll-box-inner, .table-stack");
  var update = function () {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.tabIndex = 0;
          box.dataset.scrollFocus = "1";
        }
      } else if (box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  };
  update();
  window.addEventListener("resize", update);
})();
