// Case page. No inline scripts: the reason for closing is shown only when "closed" is the chosen status.
(function () {
  const status = document.getElementById("id_new_status");
  const reason = document.getElementById("div_id_close_reason");
  if (!status || !reason) {
    return;
  }
  function toggle() {
    reason.hidden = status.value !== "ditutup";
  }
  status.addEventListener("change", toggle);
  toggle();
})();
