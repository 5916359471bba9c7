"""Partners (kemitraan) of a kab/kota's IPSM: the rules of saving a partner and recording what it
contributed, the totals a partner page shows, and what the directory and contributions export.

The links of a contribution to a training event or a case live in the higher layers (trainings.models,
cases.models): their pages call record_contribution() here and add the row to their own M2M in the same
transaction, so this module never knows about them.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipsm.lib.exports import Column, Export, choice_labels
from ipsm.lib.query import is_region_code
from members.access import scope_of
from members.models import (
    KABKOTA_LEVELS,
    Contribution,
    ContributionKind,
    Partner,
    PartnerSector,
    Region,
    RegionLevel,
    Unit,
)
from members.models.partners import EXPIRY_WARNING_DAYS

# Query parameters of the directory (and its export): sector, search by name, only those to renew.
SECTOR, SEARCH, EXPIRING, KECAMATAN = "sektor", "cari", "segera_habis", "kecamatan"
SEARCH_MAX_LENGTH = 100

ADD_CONTRIBUTION, CHANGE_CONTRIBUTION = "members.add_contribution", "members.change_contribution"
# Staff hold it with the other two (ipsm/roles.py); the history keeps a deleted row and who deleted it.
DELETE_CONTRIBUTION = "members.delete_contribution"


def kabkota_choices(user) -> QuerySet:
    """The kab/kota a user may file a partner under: their own (staff), or any (superuser)."""
    return Region.objects.visible_to(user).filter(level__in=KABKOTA_LEVELS).order_by("code")


def own_kabkota(user) -> Region | None:
    """The one kab/kota of a staff member's scope, preset and fixed on the partner form; None when the user
    chooses (a superuser, or a province-wide scope)."""
    code = scope_of(user).region_code
    if len(code) >= 5:
        return Region.objects.filter(code=code[:5]).first()
    return None


def kecamatan_of(region: Region | None, user) -> QuerySet:
    """The kecamatan a partner of `region` may serve (all those the user sees while none is chosen)."""
    kecamatan = Region.objects.visible_to(user).filter(level=RegionLevel.KECAMATAN)
    if region is not None:
        kecamatan = kecamatan.filter(code__startswith=f"{region.code}.")
    return kecamatan.order_by("name", "code")


def check_partner(partner: Partner, kecamatan: Iterable[Region]) -> None:
    """A partner serves only kecamatan of its own kab/kota (the database checks the rest)."""
    outside = [k for k in kecamatan if not k.code.startswith(f"{partner.region_id}.")]
    if outside:
        raise ValidationError(
            _("%(kecamatan)s is not in %(region)s.")
            % {"kecamatan": ", ".join(str(k) for k in outside), "region": partner.region},
            code="kecamatan_outside",
        )


@transaction.atomic
def save_partner(*, partner: Partner, kecamatan: Iterable[Region], by) -> Partner:
    kecamatan = list(kecamatan)
    check_partner(partner, kecamatan)
    partner.full_clean()
    partner._history_user = by
    partner.save()
    partner.kecamatan_served.set(kecamatan)
    return partner


def check_contribution(contribution: Contribution) -> None:
    """A contribution to a unit goes to a unit of the partner's own kab/kota, and was given by today."""
    kabkota = contribution.partner.region_id
    if contribution.unit_id and not contribution.unit.region_id.startswith(f"{kabkota}."):
        raise ValidationError(
            {"unit": _("Choose a unit of %(region)s.") % {"region": contribution.partner.region}},
            code="unit_outside",
        )
    if contribution.given_on and contribution.given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")}, code="future")


def check_contribution_actor(by, perm: str, partner: Partner) -> None:
    """The acting user may `perm` and sees `partner` (PermissionDenied otherwise).

    Every page passes its request.user, so a user-facing write is always checked here, whichever page it
    comes from (the partner's, a training event's, a case's). `by=None` is for trusted internal callers
    only (management commands, the demo, test fixtures), which act for no user: they skip this check, never
    the row's validation (_validate_contribution)."""
    if by is None:
        return
    if not by.has_perm(perm) or not Partner.objects.visible_to(by).filter(pk=partner.pk).exists():
        raise PermissionDenied


def _validate_contribution(contribution: Contribution) -> None:
    contribution.full_clean(exclude=["recorded_by"])  # None for rows that no one typed in
    check_contribution(contribution)


@transaction.atomic
def record_contribution(
    *,
    partner: Partner,
    kind: str,
    value: Decimal,
    given_on: datetime.date,
    purpose: str,
    beneficiaries: int | None = None,
    unit: Unit | None = None,
    by,
) -> Contribution:
    """Record what a partner gave. Training events and cases link the row to themselves afterwards, inside
    their own transaction (trainings.services, cases.services). `by`: see check_contribution_actor."""
    check_contribution_actor(by, ADD_CONTRIBUTION, partner)
    contribution = Contribution(
        partner=partner,
        kind=kind,
        value=value,
        given_on=given_on,
        purpose=purpose,
        beneficiaries=beneficiaries,
        unit=unit,
        recorded_by=by,
    )
    _validate_contribution(contribution)
    contribution._history_user = by
    contribution.save()
    return contribution


@transaction.atomic
def change_contribution(
    *,
    contribution: Contribution,
    kind: str,
    value: Decimal,
    given_on: datetime.date,
    purpose: str,
    beneficiaries: int | None = None,
    unit: Unit | None = None,
    by,
) -> Contribution:
    """Correct a contribution (its partner stays; its links to an event or a case too). `by`: see
    check_contribution_actor; the history keeps the earlier values and who changed them."""
    check_contribution_actor(by, CHANGE_CONTRIBUTION, contribution.partner)
    contribution.kind, contribution.value, contribution.given_on = kind, value, given_on
    contribution.purpose, contribution.beneficiaries, contribution.unit = purpose, beneficiaries, unit
    _validate_contribution(contribution)
    contribution._history_user = by
    contribution.save()
    return contribution


@transaction.atomic
def delete_contribution(*, contribution: Contribution, by) -> None:
    """Take back a contribution recorded by mistake; its links to an event or a case go with it, the
    history keeps the row and who deleted it. `by`: see check_contribution_actor."""
    check_contribution_actor(by, DELETE_CONTRIBUTION, contribution.partner)
    contribution._history_user = by
    contribution.delete()


def totals_by_year(contributions: QuerySet) -> list[dict]:
    """Rupiah per year, newest first: [{"year", "total", "count"}], one query."""
    return list(
        contributions.order_by()
        .annotate(year=ExtractYear("given_on"))
        .values("year")
        .annotate(total=Sum("value"), count=Count("pk"))
        .order_by("-year")
    )


def expiry_cutoff(day: datetime.date | None = None) -> datetime.date:
    """The last end date that is flagged (PartnerQuerySet.expiring's rule, for templates)."""
    return (day or timezone.localdate()) + datetime.timedelta(days=EXPIRY_WARNING_DAYS)


# --- The directory: filters and exports --------------------------------------------------------------------


def directory_choice(params) -> dict:
    """The directory's filters that are valid, by parameter name: a sector, a name (contains), only the
    agreements to renew, a kecamatan served. Other values are ignored (the page shows everything rather
    than an error), and only these go to the export log."""
    chosen = {}
    if (sector := params.get(SECTOR, "")) in PartnerSector.values:
        chosen[SECTOR] = sector
    search = "".join(ch for ch in params.get(SEARCH, "") if ch.isprintable()).strip()[:SEARCH_MAX_LENGTH]
    if search:
        chosen[SEARCH] = search
    if params.get(EXPIRING) == "1":
        chosen[EXPIRING] = "1"
    if is_region_code(kecamatan := params.get(KECAMATAN, "")):
        chosen[KECAMATAN] = kecamatan
    return chosen


def filter_directory(partners: QuerySet, params) -> QuerySet:
    chosen = directory_choice(params)
    if SECTOR in chosen:
        partners = partners.filter(sector=chosen[SECTOR])
    if SEARCH in chosen:
        partners = partners.filter(name__icontains=chosen[SEARCH])
    if EXPIRING in chosen:
        partners = partners.expiring()
    if KECAMATAN in chosen:
        partners = partners.filter(kecamatan_served__code=chosen[KECAMATAN])
    return partners


def directory(user, params) -> QuerySet:
    return filter_directory(
        Partner.objects.visible_to(user).select_related("region").prefetch_related("kecamatan_served"), params
    )


def _file_code(user) -> str:
    scope = scope_of(user)
    return scope.region_code or scope.unit_region_code


def partner_export(user, params) -> Export:
    sector = choice_labels(PartnerSector)
    columns = [
        Column(_("Name"), lambda p: p.name, 30),
        Column(_("Sector"), lambda p: sector(p.sector), 24),
        Column(_("Kab/kota"), lambda p: p.region.name, 20),
        Column(_("Contact person"), lambda p: p.contact_name, 20),
        Column(_("Phone"), lambda p: p.phone, 16),
        Column(_("Email"), lambda p: p.email, 24),
        Column(_("Address"), lambda p: p.address, 28),
        Column(_("MoU/PKS number"), lambda p: p.mou_number, 20),
        Column(_("Agreement starts"), lambda p: p.mou_starts_on, 12),
        Column(_("Agreement ends"), lambda p: p.mou_ends_on, 12),
        Column(_("Kecamatan served"), lambda p: ", ".join(k.name for k in p.kecamatan_served.all()), 30),
        Column(_("Active"), lambda p: _("Yes") if p.is_active else _("No"), 8),
    ]
    code = _file_code(user)
    return Export(
        list_name="partners",
        file_stem=f"mitra-{code}" if code else "mitra",
        columns=columns,
        # A prefetch is not kept by iterator() without a chunk size, which Export gives: one query per chunk.
        rows=directory(user, params),
        filters=directory_choice(params),
    )


def contribution_export(user, params) -> Export:
    kind = choice_labels(ContributionKind)
    sector = choice_labels(PartnerSector)
    partners = filter_directory(Partner.objects.visible_to(user), params)
    rows = (
        Contribution.objects.filter(partner__in=partners)
        .select_related("partner", "unit__region")
        .order_by("-given_on", "-pk")
    )
    columns = [
        Column(_("Date"), lambda c: c.given_on, 12),
        Column(_("Partner"), lambda c: c.partner.name, 30),
        Column(_("Sector"), lambda c: sector(c.partner.sector), 24),
        Column(_("Kind"), lambda c: kind(c.kind), 10),
        Column(_("Value (Rp)"), lambda c: c.value, 16),
        Column(_("For"), lambda c: c.purpose, 30),
        Column(_("Beneficiaries"), lambda c: c.beneficiaries, 10),
        Column(_("IPSM unit"), lambda c: c.unit.region.name if c.unit_id else "", 20),
    ]
    code = _file_code(user)
    return Export(
        list_name="contributions",
        file_stem=f"kontribusi-mitra-{code}" if code else "kontribusi-mitra",
        columns=columns,
        rows=rows,
        filters=directory_choice(params),
    )
