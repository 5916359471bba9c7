// The member form (templates/members/member_form.html): sex and date of birth filled in from the NIK as it
// is typed. The NIK holds both (members/nik.py): digits 7 to 12 are the birth date DDMMYY, the day plus 40
// for women. Only a field left empty, or still holding what this script put there, is filled: what someone
// typed is never overwritten. The server checks all three against each other (members/rules.py) whatever
// happens here.
(function () {
  "use strict";

  var nik = document.querySelector("input[data-fills-from-nik]");
  if (!nik) {
    return;
  }
  var sex = nik.form.elements.namedItem("sex");
  var birth = nik.form.elements.namedItem("birth_date");
  var minAge = parseInt(nik.getAttribute("data-min-age"), 10) || 18;
  var filled = { sex: null, birth: null }; // what this script last put in each field

  // What the NIK says, read out to screen readers as it changes.
  var reading = document.createElement("div");
  reading.id = "nik-reading";
  reading.className = "form-text";
  reading.setAttribute("aria-live", "polite");
  var help = document.getElementById(nik.id + "_helptext");
  (help || nik).insertAdjacentElement("afterend", reading);
  var described = nik.getAttribute("aria-describedby");
  nik.setAttribute("aria-describedby", (described ? described + " " : "") + reading.id);

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // {female, year, month, day} from a whole NIK typed with or without spaces, dots or dashes; else null.
  function parse(text) {
    var digits = text.trim().replace(/^'/, "").replace(/[\s.\-]/g, "");
    if (!/^[0-9]{16}$/.test(digits)) {
      return null;
    }
    var day = parseInt(digits.slice(6, 8), 10);
    var month = parseInt(digits.slice(8, 10), 10);
    var year = 2000 + parseInt(digits.slice(10, 12), 10);
    var female = day > 40;
    if (female) {
      day -= 40;
    }
    // The century is not in the NIK: the latest one in which the person is old enough to be a PSM.
    if (year > new Date().getFullYear() - minAge) {
      year -= 100;
    }
    var date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return null;
    }
    return { female: female, year: year, month: month, day: day };
  }

  function update() {
    var parts = parse(nik.value);
    if (!parts) {
      reading.textContent = "";
      return;
    }
    var sexValue = parts.female ? "P" : "L";
    var iso = parts.year + "-" + pad(parts.month) + "-" + pad(parts.day);
    if (sex && (sex.value === "" || sex.value === filled.sex)) {
      sex.value = sexValue;
      filled.sex = sexValue;
    }
    if (birth && (birth.value === "" || birth.value === filled.birth)) {
      birth.value = iso;
      filled.birth = iso;
    }
    var template = nik.getAttribute(parts.female ? "data-reading-female" : "data-reading-male") || "";
    reading.textContent = template.replace("{date}", pad(parts.day) + "/" + pad(parts.month) + "/" + parts.year);
  }

  nik.addEventListener("input", update);
  update();
})();
