"""The token printed (as a QR code) on a member card, opening the public verification page.

A token is the member's pk and a short HMAC of it (django.core.signing, with its own salt): it cannot be
guessed or forged, and a card for one member cannot be turned into another's by changing the number. No
model field, so nothing to migrate and nothing to leak from the database; rotating SECRET_KEY invalidates
printed cards unless the old key stays in SECRET_KEY_FALLBACKS.
"""

import re

from django.core import signing
from django.utils.crypto import constant_time_compare

_SALT = "members.card-verification"
_SEP = "."
# 16 base64 characters are 96 bits: far beyond guessing, and the QR code stays small enough to scan
# reliably at ID-1 card size (the full 43-character signature would need a denser code).
SIGNATURE_LENGTH = 16
_PK = re.compile(r"[1-9][0-9]{0,17}")


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=_SEP)


def card_token(member_pk: int) -> str:
    value = str(member_pk)
    return f"{value}{_SEP}{_signer().signature(value)[:SIGNATURE_LENGTH]}"


def member_pk_from_token(token: str) -> int | None:
    """The member pk a token was made for, or None when the token is garbled or forged."""
    value, sep, signature = token.partition(_SEP)
    if not sep or not _PK.fullmatch(value) or len(signature) != SIGNATURE_LENGTH:
        return None
    signer = _signer()
    for key in (signer.key, *signer.fallback_keys):
        if constant_time_compare(signature, signer.signature(value, key)[:SIGNATURE_LENGTH]):
            return int(value)
    return None
