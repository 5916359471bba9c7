"""Login throttling (django-axes): how a typed username is counted, who is locked out, unlocking."""

import datetime
import unicodedata

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from members.accounts import phone_login_name


def throttled_username(request, credentials: dict | None) -> str:
    """The username a failed login counts against: stripped, NFKC-normalised and case-folded, so that
    " Admin", "ADMIN" and a full-width "ａｄｍｉｎ" all count as one account (settings.AXES_*). A mobile
    number (a PSM logs in with it, members.accounts) counts as its +628... form, however it was typed."""
    if credentials and credentials.get("username") is not None:
        typed = credentials["username"]
    else:
        typed = request.POST.get("username", "") if request is not None else ""
    normalized = normalize_username(typed)
    return phone_login_name(normalized) or normalized


def normalize_username(typed: str) -> str:
    return unicodedata.normalize("NFKC", str(typed)).strip().casefold()


def locked_out_subquery() -> Exists:
    """For a User queryset's annotate(): whether the user is locked out now, from any address. Matches
    usernames case-insensitively, as throttled_username counts them (NFKC aside: Django's forms already
    store usernames NFKC-normalised)."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return Exists(
        AccessAttempt.objects.filter(
            username=Lower(OuterRef("username")),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        )
    )


def unlock(username: str) -> int:
    """Forget the failed logins of `username` from every address; returns how many records went."""
    return reset(username=normalize_username(username))
