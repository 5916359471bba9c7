"""Training coverage: how many active PSM are trained, ever and in the last RECENT_TRAINING_YEARS years.

"Trained" means present on every day of an event (ParticipantQuerySet.attended(), as for a certificate);
"recently" means at an event that started within the last RECENT_TRAINING_YEARS years. Per kelurahan for
the dashboard (annotations on cases.models.Kelurahan rows, correlated subqueries: one query whatever the
number of rows, and sums that rolled_up() adds to its own), and per IPSM unit for the unit page.
"""

import datetime

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import NullIf
from django.utils import timezone

from cases.models import COVERAGE_COUNTS
from ipsm.lib.dates import years_after
from members.models import Member, MemberStatus, Unit, count_subquery
from trainings.models import RECENT_TRAINING_YEARS, Participant

# What training coverage adds to cases.models.KelurahanQuerySet.rolled_up() / totals().
TRAINING_ROLLUP = {"trained_psm": Sum("trained_psm"), "trained_recent_psm": Sum("trained_recent_psm")}


def recent_since(today: datetime.date | None = None) -> datetime.date:
    """The first start date that counts as recent training."""
    return years_after(today or timezone.localdate(), -RECENT_TRAINING_YEARS)


def trained(since: datetime.date | None = None) -> Exists:
    """For a Member queryset: present on every day of an event (that started on or after `since`)."""
    attended = Participant.objects.attended().filter(member=OuterRef("pk"))
    if since is not None:
        attended = attended.filter(event__starts_on__gte=since)
    return Exists(attended)


def percent(part: int | None, whole: int | None) -> float | None:
    return None if not whole else (part or 0) * 100.0 / whole


def _share(field: str) -> models.Expression:
    return F(field) * 100.0 / NullIf(F("active_psm"), 0)


def with_training_coverage(kelurahan, *, today: datetime.date | None = None):
    """Kelurahan rows with `trained_psm` and `trained_recent_psm` (active PSM of the kelurahan's unit trained
    ever / recently) and their shares of `active_psm` in percent (None without active PSM).

    Meant for a queryset `with_coverage()`; `active_psm` is annotated here when it is not there yet.
    """
    active = Member.objects.filter(unit__region_id=OuterRef("code"), status=MemberStatus.AKTIF)
    if "active_psm" not in kelurahan.query.annotations:
        kelurahan = kelurahan.annotate(active_psm=count_subquery(active))
    return with_training_shares(with_training_counts(kelurahan, today=today))


def with_all_coverage(kelurahan, period):
    """Kelurahan rows with every figure of the coverage dashboard (PSM, PMKS, cases, training), their
    counts computed once per row (KelurahanQuerySet.counted_once): for reading a whole region's rows."""
    counts = with_training_counts(kelurahan.with_coverage_counts(period))
    return with_training_shares(counts.counted_once(COVERAGE_COUNTS).with_coverage_results())


def with_training_counts(kelurahan, *, today: datetime.date | None = None):
    """Kelurahan rows with `trained_psm` and `trained_recent_psm` only (cases.models.COVERAGE_COUNTS)."""
    active = Member.objects.filter(unit__region_id=OuterRef("code"), status=MemberStatus.AKTIF)
    return kelurahan.annotate(
        trained_psm=count_subquery(active.filter(trained())),
        trained_recent_psm=count_subquery(active.filter(trained(recent_since(today)))),
    )


def with_training_shares(kelurahan):
    """`trained_share` and `trained_recent_share` from the annotations `trained_psm`, `trained_recent_psm` and
    `active_psm` (live above, or stored: cases.models.KelurahanQuerySet.from_snapshot)."""
    return kelurahan.annotate(
        trained_share=_share("trained_psm"), trained_recent_share=_share("trained_recent_psm")
    )


def with_shares(row: dict | None) -> dict | None:
    """A rolled-up row (or totals) with `trained_share` and `trained_recent_share` in percent."""
    if row is None:
        return None
    return {
        **row,
        "trained_share": percent(row.get("trained_psm"), row.get("active_psm")),
        "trained_recent_share": percent(row.get("trained_recent_psm"), row.get("active_psm")),
    }


def unit_training_counts(unit: Unit, *, today: datetime.date | None = None) -> dict:
    """The unit's active PSM, how many are trained ever / recently, and the shares (one query)."""
    counts = unit.members.filter(status=MemberStatus.AKTIF).aggregate(
        active_psm=Count("pk"),
        trained_psm=Count("pk", filter=Q(trained())),
        trained_recent_psm=Count("pk", filter=Q(trained(recent_since(today)))),
    )
    return with_shares(counts)


def untrained_active_psm(unit: Unit):
    """The unit's active PSM who were never present on every day of an event."""
    return unit.members.filter(status=MemberStatus.AKTIF).exclude(trained())
