"""Staff accounts and page targets for `make loadtest` (run.py), in the load-test database only
(`manage.py prepare_loadtest`).

The accounts have a published password, so the command refuses any database whose name does not start with
`ipsm_loadtest`. Each account is Dinas Sosial staff of a kab/kota, two accounts per kab/kota: kab/kota drawn
at random among those with IPSM units (`--kabkota sample`, the same draw on every run: a typical mix of
offices), or the ones with the most units (`--kabkota largest`: the heaviest pages, the worst case). The
targets file lists, per account, the kecamatan, units, members and cases of its kab/kota that the simulated
users open.
"""

import json
import random
from pathlib import Path

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from cases.models import Case
from ipsm import roles
from members.models import Assignment, Member, Unit

LOADTEST_DATABASE_PREFIX = "ipsm_loadtest"
LOADTEST_PASSWORD = "ipsm-loadtest"
USERNAME_PREFIX = "loadtest-staf-"
ACCOUNTS_PER_KABKOTA = 2
SAMPLE = 40  # ids of each kind per kab/kota: enough that pages are not all served from one cache line


class PrepareRefused(Exception):
    """The database is not a load-test database, or holds nothing to test."""


def prepare(*, users: int, targets: Path, kabkota: str) -> str:
    """Create the accounts and write the targets file; returns what was done, to print."""
    name = connection.settings_dict["NAME"]
    if not name.startswith(LOADTEST_DATABASE_PREFIX):
        raise PrepareRefused(
            _(
                "prepare_loadtest creates accounts with a published password: it only runs on a "
                "database whose name starts with %(prefix)s, not %(name)s."
            )
            % {"prefix": LOADTEST_DATABASE_PREFIX, "name": name}
        )
    rng = random.Random(6)  # the same offices and pages on every run over the same data
    codes = _kabkota(max(1, users // ACCOUNTS_PER_KABKOTA), largest=kabkota == "largest", rng=rng)
    if not codes:
        raise PrepareRefused(_("The database has no IPSM units: load data first."))
    per_kabkota = {code: _targets(code, rng) for code in codes}
    accounts = _ensure_accounts([codes[i % len(codes)] for i in range(users)])
    targets.parent.mkdir(parents=True, exist_ok=True)
    targets.write_text(
        json.dumps(
            {
                "password": LOADTEST_PASSWORD,
                "accounts": [
                    {"username": username, "kabkota": code, **per_kabkota[code]}
                    for username, code in accounts
                ],
            },
            indent=1,
        )
    )
    return _("%(users)d staff accounts in %(kabkota)s; targets written to %(path)s") % {
        "users": len(accounts),
        "kabkota": ", ".join(codes),
        "path": targets,
    }


def _kabkota(count: int, *, largest: bool, rng: random.Random) -> list[str]:
    """Kab/kota codes with IPSM units: the `count` with the most units (largest first), or drawn at random
    (one query)."""
    rows = list(
        Unit.objects.annotate(kabkota=Substr("region_id", 1, 5))
        .values("kabkota")
        .annotate(units=Count("pk"))
        .order_by("-units", "kabkota")
    )
    if largest:
        return [row["kabkota"] for row in rows[:count]]
    return sorted(rng.sample([row["kabkota"] for row in rows], min(count, len(rows))))


def _targets(code: str, rng: random.Random) -> dict:
    # In a fixed order, so that the seeded draw picks the same rows on every run.
    units = list(Unit.objects.within(code).order_by("pk").values_list("pk", "region_id"))
    members = Member.objects.filter(unit__region__code__startswith=code).not_merged()
    members = list(members.order_by("pk").values_list("pk"))
    cases = list(Case.objects.within(code).order_by("pk").values_list("pk"))
    return {
        "kecamatan": sorted({region[:8] for _pk, region in units}),
        "units": sorted(pk for pk, _region in rng.sample(units, min(SAMPLE, len(units)))),
        "members": sorted(pk for (pk,) in rng.sample(members, min(SAMPLE, len(members)))),
        "cases": sorted(pk for (pk,) in rng.sample(cases, min(SAMPLE, len(cases)))),
    }


@transaction.atomic
def _ensure_accounts(kabkota_codes: list[str]) -> list[tuple[str, str]]:
    """Staff accounts `loadtest-staf-01`... assigned to the given kab/kota, all with LOADTEST_PASSWORD."""
    User = get_user_model()
    staff = Group.objects.get(name=roles.STAFF)
    password = make_password(LOADTEST_PASSWORD)  # hashing is slow: once for all
    accounts = []
    for number, code in enumerate(kabkota_codes, start=1):
        username = f"{USERNAME_PREFIX}{number:02d}"
        user, _created = User.objects.update_or_create(
            username=username, defaults={"password": password, "is_active": True, "first_name": "Load test"}
        )
        user.groups.set([staff])
        Assignment.objects.update_or_create(user=user, defaults={"region_id": code, "unit": None})
        accounts.append((username, code))
    # A run that failed its logins must not leave the accounts locked (django-axes) for the next one.
    AccessAttempt.objects.filter(username__startswith=USERNAME_PREFIX).delete()
    return accounts
