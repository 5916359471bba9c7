"""Case (penanganan) pages. Cases hold sensitive personal data (UU PDP): every page first requires
`cases.view_case` (403 otherwise), then fetches the case within the user's scope (404 outside it); writes
also need `cases.change_case`. Each step of the handling posts to its own URL and returns to the case page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cases import services
from cases.filters import CaseFilter
from cases.forms import (
    ActivityForm,
    AssignPsmForm,
    CaseForm,
    CaseStatusForm,
    PsmSearchForm,
    ReferralForm,
    ReferralOutcomeForm,
)
from cases.models import Case, Referral, ReferralOutcome
from cases.tables import CaseTable
from ipsm.lib.concurrency import save_unless_changed
from ipsm.lib.forms import add_service_error
from ipsm.lib.tables import BoundedRequestConfig
from members.access import get_for_user, require_perm
from members.models import Partner
from members.nik import is_typed_nik, mask_nik
from members.partner_forms import ContributionForm

VIEW, ADD, CHANGE = "cases.view_case", "cases.add_case", "cases.change_case"
ADD_CONTRIBUTION = "members.add_contribution"
PAGE_SIZE = 25

# Where a service's refusal belongs on its form (else it is shown above the fields).
_ERROR_FIELDS = {
    "reason_required": "close_reason",
    "date_before_status": "changed_on",
    "psm_not_active": "member",
    "psm_elsewhere": "member",
    "outcome_required": "outcome",
    "outcome_before_referral": "outcome_on",
}


def _get_case(user, pk, perm: str = VIEW) -> Case:
    require_perm(user, VIEW)
    queryset = Case.objects.select_related("kelurahan__parent", "category", "psm__unit__region", "created_by")
    return get_for_user(queryset, user, pk=pk, perm=perm)


def _add_service_error(form, error: ValidationError) -> None:
    fields = dict(_ERROR_FIELDS)
    if "psm" in form.fields:  # the case form names the PSM field `psm`
        fields = {code: "psm" if name == "member" else name for code, name in fields.items()}
    add_service_error(form, error, fields=fields)


@login_required
def case_list(request):
    require_perm(request.user, VIEW)
    cases = Case.objects.visible_to(request.user).select_related("kelurahan", "category", "psm")
    case_filter = CaseFilter(request.GET, queryset=cases, user=request.user)
    # A bad filter value (say a region outside the user's area) shows its error and no rows, not everything.
    rows = case_filter.qs if case_filter.is_valid() else cases.none()
    table = CaseTable(rows)
    BoundedRequestConfig(request, page_sizes=(PAGE_SIZE,)).configure(table)
    context = {
        "filter": case_filter,
        "table": table,
        "can_add": request.user.has_perm(ADD),
        "region": case_filter.form.cleaned_data.get("wilayah") if case_filter.is_valid() else None,
    }
    return render(request, "cases/case_list.html", context)


@sensitive_post_parameters("person_nik")
@login_required
def case_create(request):
    require_perm(request.user, VIEW)
    require_perm(request.user, ADD)
    form = CaseForm(request.POST or None, user=request.user)
    if form.is_valid():
        try:
            case = services.open_case(case=form.save(commit=False), by=request.user)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The case is recorded. Now choose its responsible PSM."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#case-psm")
    return render(request, "cases/case_form.html", {"form": form})


@sensitive_post_parameters("person_nik")
@login_required
def case_edit(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = CaseForm(request.POST or None, instance=case, user=request.user)
    if form.is_valid() and save_unless_changed(form):
        messages.success(request, _("Changes saved."))
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@login_required
def case_detail(request, pk):
    case = _get_case(request.user, pk)
    if is_typed_nik(request.GET.get("cari_psm", "")):
        # The PSM search travels in the URL: a NIK typed there is not searched, and leaves the address bar.
        messages.warning(
            request,
            _(
                "A NIK is never searched here, as it would be written into the page's address. "
                "Search by name or KTA number."
            ),
        )
        return redirect(reverse("cases:detail", args=[case.pk]) + "#case-psm")
    return _render_detail(request, case)


def _render_detail(request, case: Case, **bound_forms) -> HttpResponse:
    """The case page; `bound_forms` replaces a blank form by the one just posted with its errors."""
    user = request.user
    can_edit = user.has_perm(CHANGE)
    referrals = list(case.referrals.select_related("referred_by"))
    forms = {}
    if can_edit:
        forms = {
            "status_form": CaseStatusForm(case=case),
            "assign_form": AssignPsmForm(case=case, user=user, search=PsmSearchForm(request.GET).search())
            if case.is_open
            else None,
            "activity_form": ActivityForm(case=case),
            "referral_form": ReferralForm(case=case, user=user),
            "contribution_form": _contribution_form(user, case),
        }
        for referral in referrals:
            if referral.outcome == ReferralOutcome.MENUNGGU:
                referral.outcome_form = ReferralOutcomeForm(referral=referral)
        outcome_form = bound_forms.pop("outcome_form", None)
        for referral in referrals:
            if outcome_form is not None and referral.pk == outcome_form.referral.pk:
                referral.outcome_form = outcome_form
        forms.update(bound_forms)
    context = {
        "case": case,
        "can_edit": can_edit,
        "masked_nik": mask_nik(case.person_nik),
        "status_changes": case.status_changes.select_related("changed_by"),
        "psm_assignments": case.psm_assignments.select_related("member__unit__region", "assigned_by"),
        "activities": case.activities.select_related("recorded_by"),
        "referrals": referrals,
        "contributions": case.contributions.select_related("partner"),
        "can_view_contributions": user.has_perm("members.view_contribution"),
        **forms,
    }
    return render(request, "cases/case_detail.html", context)


def _refused(request, case: Case, **bound_forms):
    messages.error(request, _("Nothing was saved: see the errors below."))
    return _render_detail(request, case, **bound_forms)


@require_POST
@login_required
def case_status(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = CaseStatusForm(request.POST, case=case)
    if form.is_valid():
        try:
            case = services.change_case_status(case=case, by=request.user, **form.service_arguments())
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request, _("Status changed to %(status)s.") % {"status": case.get_status_display()}
            )
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, status_form=form)


@require_POST
@login_required
def case_assign(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = AssignPsmForm(request.POST, case=case, user=request.user)
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.assign_psm(
                case=case, member=member, assigned_on=form.cleaned_data["assigned_on"], by=request.user
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            if member is None:
                messages.success(request, _("The PSM is taken off the case."))
            else:
                messages.success(request, _("%(name)s is now responsible for the case.") % {"name": member})
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, assign_form=form)


@require_POST
@login_required
def case_activity(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = ActivityForm(request.POST, case=case)
    if form.is_valid():
        services.log_activity(case=case, by=request.user, **form.cleaned_data)
        messages.success(request, _("Activity recorded."))
        return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, activity_form=form)


@require_POST
@login_required
def case_referral(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = ReferralForm(request.POST, case=case, user=request.user)
    if form.is_valid():
        try:
            referral = services.refer_case(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request, _("Referral to %(name)s recorded.") % {"name": referral.institution_name}
            )
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, referral_form=form)


def _contribution_form(user, case: Case, data=None) -> ContributionForm | None:
    """Partners' contributions to the case (members.partners): recorded by staff who may handle it."""
    if not (user.has_perm(CHANGE) and user.has_perm(ADD_CONTRIBUTION)):
        return None
    choices = Partner.objects.visible_to(user).within(case.kelurahan_id[:5]).filter(is_active=True)
    return ContributionForm(data, partner_choices=choices)


@require_POST
@login_required
def case_contribution(request, pk):
    case = _get_case(request.user, pk, perm=CHANGE)
    form = _contribution_form(request.user, case, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            services.add_case_contribution(case=case, by=request.user, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contribution recorded."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#case-contributions")
    return _refused(request, case, contribution_form=form)


@require_POST
@login_required
def referral_outcome(request, pk):
    require_perm(request.user, VIEW)
    referral = get_object_or_404(
        Referral.objects.select_related("case"), pk=pk, case__in=Case.objects.visible_to(request.user)
    )
    case = _get_case(request.user, referral.case_id, perm=CHANGE)
    if referral.outcome != ReferralOutcome.MENUNGGU:
        messages.error(request, _("The outcome of this referral is already recorded."))
        return redirect("cases:detail", pk=case.pk)
    form = ReferralOutcomeForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            services.record_referral_outcome(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Referral outcome recorded."))
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, outcome_form=form)
