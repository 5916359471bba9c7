"""Writes that touch several rows: PMKS count grids, and a case's workflow, PSM, activities and referrals.

Each takes the acting user explicitly and records who did what and when.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseActivity,
    CasePsmAssignment,
    CaseStatus,
    CaseStatusChange,
    PmksCategory,
    PmksCount,
    Referral,
    ReferralOutcome,
)
from cases.periods import Period
from members import partners
from members.models import Contribution, Member, MemberStatus, Partner, Region


@transaction.atomic
def save_pmks_counts(
    *,
    kelurahan: Region,
    period: Period,
    counts: dict[PmksCategory, int | None],
    source: str,
    data_date: datetime.date,
    by,
) -> int:
    """Store one kelurahan's grid for a period; an empty field (None) removes that category's figure.

    Returns how many figures the kelurahan now has for the period.
    """
    existing = {
        row.category_id: row
        for row in PmksCount.objects.select_for_update().filter(
            kelurahan=kelurahan, year=period.year, semester=period.semester
        )
    }
    to_create, to_update, to_delete = [], [], []
    for category, count in counts.items():
        row = existing.get(category.pk)
        if count is None:
            if row is not None:
                to_delete.append(row.pk)
            continue
        if row is None:
            to_create.append(
                PmksCount(
                    kelurahan=kelurahan,
                    category=category,
                    year=period.year,
                    semester=period.semester,
                    count=count,
                    source=source,
                    data_date=data_date,
                    updated_by=by,
                )
            )
        elif (row.count, row.source, row.data_date) != (count, source, data_date):
            row.count, row.source, row.data_date, row.updated_by = count, source, data_date, by
            to_update.append(row)
    # Row by row rather than in bulk, so that each change lands in the history with its author.
    for row in to_create + to_update:
        row.save()
    for row in PmksCount.objects.filter(pk__in=to_delete):
        row.delete()
    return len(existing) + len(to_create) - len(to_delete)


def _check_psm(case: Case, member: Member | None) -> None:
    if member is None:
        return
    if member.status != MemberStatus.AKTIF:
        raise ValidationError(_("Only an active PSM can be responsible for a case."), code="psm_not_active")
    if member.unit.region_id[:5] != case.kelurahan_id[:5]:
        raise ValidationError(
            _("The PSM must belong to an IPSM unit in the same kab/kota as the case."), code="psm_elsewhere"
        )


@transaction.atomic
def open_case(*, case: Case, by) -> Case:
    """Save a new case (status baru) with its first status step and, if chosen, its responsible PSM."""
    _check_psm(case, case.psm)
    case.status = CaseStatus.BARU
    case.status_since = case.reported_on
    case.created_by = by
    case.save()
    CaseStatusChange.objects.create(
        case=case, new_status=CaseStatus.BARU, changed_on=case.reported_on, changed_by=by
    )
    if case.psm is not None:
        CasePsmAssignment.objects.create(
            case=case, member=case.psm, assigned_on=case.reported_on, assigned_by=by
        )
    return case


@transaction.atomic
def change_case_status(
    *, case: Case, new_status: str, changed_on: datetime.date, by, close_reason: str = "", note: str = ""
) -> Case:
    """Move a case along its workflow; only the moves in CASE_TRANSITIONS are allowed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if new_status not in case.allowed_next_statuses:
        raise ValidationError(
            _("A case cannot go from %(old)s to %(new)s.")
            % {"old": case.get_status_display(), "new": CaseStatus(new_status).label},
            code="illegal_move",
        )
    if new_status == CaseStatus.DITUTUP and not close_reason:
        raise ValidationError(_("Give the reason for closing the case."), code="reason_required")
    if changed_on < case.status_since:
        raise ValidationError(
            _("The date cannot be before the current status began (%(date)s).")
            % {"date": case.status_since.strftime("%d/%m/%Y")},
            code="date_before_status",
        )
    CaseStatusChange.objects.create(
        case=case,
        old_status=case.status,
        new_status=new_status,
        close_reason=close_reason if new_status == CaseStatus.DITUTUP else "",
        note=note,
        changed_on=changed_on,
        changed_by=by,
    )
    case.status = new_status
    case.status_since = changed_on
    case.close_reason = close_reason if new_status == CaseStatus.DITUTUP else ""
    case.save(update_fields=["status", "status_since", "close_reason", "updated_at"])
    return case


@transaction.atomic
def assign_psm(*, case: Case, member: Member | None, assigned_on: datetime.date, by) -> Case:
    """Make a PSM responsible for an open case (or take the PSM off with member=None)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("Reopen the case before changing its PSM."), code="case_not_open")
    _check_psm(case, member)
    if member is not None and member.pk == case.psm_id:
        return case
    CasePsmAssignment.objects.create(case=case, member=member, assigned_on=assigned_on, assigned_by=by)
    case.psm = member
    case.save(update_fields=["psm", "updated_at"])
    return case


def log_activity(*, case: Case, done_on: datetime.date, description: str, by) -> CaseActivity:
    return CaseActivity.objects.create(case=case, done_on=done_on, description=description, recorded_by=by)


def refer_case(
    *,
    case: Case,
    institution_type: str,
    institution_name: str,
    referred_on: datetime.date,
    partner: Partner | None = None,
    by,
) -> Referral:
    if partner is not None and not case.kelurahan_id.startswith(f"{partner.region_id}."):
        raise ValidationError(
            {"partner": _("Choose a partner of the case's kab/kota.")}, code="partner_outside"
        )
    return Referral.objects.create(
        case=case,
        partner=partner,
        institution_type=institution_type,
        institution_name=institution_name or (partner.name if partner else ""),
        referred_on=referred_on,
        referred_by=by,
    )


def record_referral_outcome(
    *, referral: Referral, outcome: str, outcome_on: datetime.date, note: str = "", by
) -> Referral:
    if outcome == ReferralOutcome.MENUNGGU:
        raise ValidationError(_("Choose what came of the referral."), code="outcome_required")
    if outcome_on < referral.referred_on:
        raise ValidationError(
            _("The outcome cannot come before the referral."), code="outcome_before_referral"
        )
    referral.outcome, referral.outcome_on, referral.outcome_note = outcome, outcome_on, note
    referral.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    CaseActivity.objects.create(
        case=referral.case,
        done_on=outcome_on,
        description=_("Referral to %(institution)s: %(outcome)s. %(note)s")
        % {"institution": referral.institution_name, "outcome": referral.get_outcome_display(), "note": note},
        recorded_by=by,
    )
    return referral


@transaction.atomic
def add_case_contribution(*, case: Case, partner: Partner, by, **details) -> Contribution:
    """A partner's contribution to a case's handling (members.partners.record_contribution), linked to it."""
    if not case.kelurahan_id.startswith(f"{partner.region_id}."):
        raise ValidationError(
            {"partner": _("Choose a partner of the case's kab/kota.")}, code="partner_outside"
        )
    contribution = partners.record_contribution(partner=partner, unit=None, by=by, **details)
    case.contributions.add(contribution)
    return contribution
