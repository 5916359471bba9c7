"""Keeping NIKs out of what is stored for display or leaves the process (UU PDP 27/2022).

A NIK (Nomor Induk Kependudukan) is 16 digits: region (6), date of birth (6, +40 on the day for women) and a
serial (4). Masked, the region and serial stay and the date goes: `3371 03•• •••• 0003`. The server log and
error reports (ipsm.logs), the export log's filters and an import's file name all go through redact_niks().
"""

import re

NIK_LIKE = re.compile(r"(?<![0-9])(?:[0-9][ .+\-]?){15}[0-9](?![0-9])")


def mask_nik(nik: str) -> str:
    """Show region and serial, hide the date of birth: `3371 03•• •••• 0003`."""
    if len(nik) != 16:
        return "•" * 16
    return f"{nik[:4]} {nik[4:6]}•• •••• {nik[12:]}"


def redact_niks(text: str) -> str:
    """`3371030501900003` -> `3371 03•• •••• 0003`, wherever it stands in the text, however it is typed."""
    return NIK_LIKE.sub(lambda match: mask_nik(re.sub(r"[^0-9]", "", match.group(0))), text)
