// Tables that scroll sideways inside their own box (.scroll-box > .scroll-box-inner) on narrow screens:
// the box is marked "fits" when nothing is hidden (the hint above it and the edge shadow go away) and
// "at-end" once scrolled to the right end (the shadow goes away). Without JavaScript both stay shown.
(function () {
  var boxes = document.querySelectorAll(".scroll-box");
  if (!boxes.length) {
    return;
  }
  var update = function (box) {
    var inner = box.querySelector(".scroll-box-inner");
    if (!inner) {
      return;
    }
    var fits = inner.scrollWidth <= inner.clientWidth + 1;
    box.classList.toggle("fits", fits);
    box.classList.toggle("at-end", inner.scrollLeft + inner.clientWidth >= inner.scrollWidth - 1);
    var hint = box.previousElementSibling;
    if (hint && hint.classList.contains("scroll-hint")) {
      hint.hidden = fits;
    }
  };
  boxes.forEach(function (box) {
    var inner = box.querySelector(".scroll-box-inner");
    if (inner) {
      inner.addEventListener("scroll", function () { update(box); }, { passive: true });
    }
    update(box);
  });
  window.addEventListener("resize", function () { boxes.forEach(update); });
})();
