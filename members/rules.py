"""What makes a member's record valid: the one home of these rules.

`Member.clean()` calls `member_problems()`, so every path that saves a member through `full_clean()` (the
member form, the restore of an earlier version, the admin) applies them; the roster import, which checks
100,000 rows in batches without a model instance per row, calls `member_problems()` on each row's values
and `normalize_rt_rw()` on its cells. Who may see or register a NIK is members.access, not here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ipsm.lib.dates import years_after
from members.nik import nik_mismatches, parse_nik

MIN_AGE_AT_JOINING = 18  # Permensos 10/2019: a PSM is an adult
# The profile: what the member form edits, a restore brings back and an import may set. Status, unit and
# KTA number have their own workflows (status changes, transfers, registration), so never these.
PROFILE_FIELDS = (
    "nik",
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "rt",
    "rw",
    "kelurahan",
    "phone",
    "email",
    "education",
    "occupation",
    "joined_on",
    "sk_number",
    "sk_date",
    "sk_issuer",
    "sk_valid_until",
)


def normalize_rt_rw(value: object) -> str:
    """RT or RW as stored: up to 3 digits, zero-padded ("4" -> "004"); blank stays blank."""
    text = str(value or "").strip()
    if not text:
        return ""
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise ValidationError(_("Must be a number of up to 3 digits."), code="rt_rw")
    return text.zfill(3)


def member_problems(
    *,
    nik: str,
    sex: str | None,
    birth_date: datetime.date | None,
    joined_on: datetime.date | None,
    sk_date: datetime.date | None = None,
    sk_valid_until: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """The problems of a member's values, by field name: a NIK that is not one or disagrees with the sex
    and date of birth, a date in the future, younger than 18 on the join date, an SK ending before its
    date."""
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(str(message))

    if nik:
        try:
            parts = parse_nik(nik)
        except ValidationError as error:
            for message in error.messages:
                add("nik", message)
        else:
            is_female = (sex == "P") if sex else None
            for problem in nik_mismatches(parts, is_female=is_female, birth_date=birth_date):
                add("nik", problem)
    for field, day in (("birth_date", birth_date), ("joined_on", joined_on), ("sk_date", sk_date)):
        if day and day > today:
            add(field, _("The date cannot be in the future."))
    if sk_date and sk_valid_until and sk_valid_until < sk_date:
        add("sk_valid_until", _("The SK cannot end before its date."))
    # A date in the future is already refused; 18 years after 9999 is past what a date can hold.
    in_time = birth_date and joined_on and birth_date <= today and joined_on <= today
    if in_time and years_after(birth_date, MIN_AGE_AT_JOINING) > joined_on:
        add("joined_on", _("A PSM must be at least 18 years old on the join date."))
    return problems
