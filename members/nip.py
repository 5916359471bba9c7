"""NIP (Nomor Induk Pegawai) of a civil servant, as printed under the head of office's signature.

18 digits, printed in four groups: `19700315 199503 1 002` is a man (1; a woman is 2) born on 15 March 1970
who became a civil servant candidate (CPNS) in March 1995, serial 002. Typed with spaces, dots or dashes;
stored as the 18 digits.
"""

import datetime
import re

from django.utils.translation import gettext as _

NIP_LENGTH = 18
_SEPARATORS = re.compile(r"[\s.\-]+")


def normalize_nip(text: str) -> str:
    """The digits of a NIP as typed (`19700315 199503 1 002`, `19700315.199503.1.002`)."""
    return _SEPARATORS.sub("", text or "")


def format_nip(nip: str) -> str:
    """`19700315 199503 1 002`, as NIPs are printed; anything else as it is."""
    if len(nip) != NIP_LENGTH or not nip.isdigit():
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def nip_problems(nip: str, *, today: datetime.date | None = None) -> list[str]:
    """What is wrong with a NIP (18 digits), for the person who typed it; empty when it may be right."""
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        return [_("A NIP has 18 digits, e.g. 19700315 199503 1 002.")]
    today = today or datetime.date.today()
    problems = []
    try:
        born = datetime.date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        born = None
    if born is None or born.year < 1930 or born > today:
        problems.append(_("The first 8 digits of a NIP are the date of birth (YYYYMMDD)."))
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or (born and year < born.year + 15) or year > today.year:
        problems.append(_("Digits 9 to 14 of a NIP are the year and month of appointment (YYYYMM)."))
    if nip[14] not in "12":
        problems.append(_("Digit 15 of a NIP is 1 (man) or 2 (woman)."))
    if nip[15:] == "000":
        problems.append(_("The last 3 digits of a NIP are a serial number from 001."))
    return problems
