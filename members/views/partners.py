"""The partner directory of a kab/kota (/mitra/): partners, their agreements and what they contributed.

Staff of the kab/kota keep it; their read-only head reads it; a coordinator reads the partners that serve
their unit's kecamatan (Partner.objects.visible_to). Outside the scope 404, read-only users 403 on writes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ipsm.lib.exports import export_response
from ipsm.lib.forms import add_service_error
from ipsm.lib.query import PAGE
from members import partners
from members.access import get_for_user, require_perm
from members.models import Contribution, Partner, PartnerSector, Unit
from members.partner_forms import ContributionForm, PartnerForm, units_of

VIEW, ADD, CHANGE = "members.view_partner", "members.add_partner", "members.change_partner"
VIEW_CONTRIBUTION = "members.view_contribution"
ADD_CONTRIBUTION, CHANGE_CONTRIBUTION = partners.ADD_CONTRIBUTION, partners.CHANGE_CONTRIBUTION
PER_PAGE = 25


def _get_partner(user, pk, perm: str | None = None) -> Partner:
    """A role that may never write here gets 403 whatever the partner (missing, or out of scope)."""
    require_perm(user, VIEW)
    if perm:
        require_perm(user, perm)
    return get_for_user(Partner.objects.select_related("region"), user, pk=pk)


def _get_contribution(user, pk) -> Contribution:
    """A contribution's page is for those who may correct it: 403 for other roles, 404 outside the scope."""
    require_perm(user, VIEW)
    require_perm(user, VIEW_CONTRIBUTION)
    require_perm(user, CHANGE_CONTRIBUTION)
    queryset = Contribution.objects.select_related("partner__region", "unit__region", "recorded_by")
    return get_for_user(queryset, user, pk=pk)


@login_required
def partner_list(request):
    require_perm(request.user, VIEW)
    rows = (
        partners.directory(request.user, request.GET)
        .annotate(contribution_count=Count("contributions", distinct=True))
        .order_by("name", "pk")  # Meta.ordering is not kept by a grouped query; pages need one
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get(PAGE))
    context = {
        "page": page,
        "partners": page.object_list,
        "sectors": PartnerSector.choices,
        "chosen_sector": request.GET.get(partners.SECTOR, ""),
        "search": request.GET.get(partners.SEARCH, "")[: partners.SEARCH_MAX_LENGTH],
        "only_expiring": request.GET.get(partners.EXPIRING) == "1",
        "expiry_cutoff": partners.expiry_cutoff(),
        "today": timezone.localdate(),
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "members/partners/partner_list.html", context)


@login_required
def partner_detail(request, pk):
    partner = _get_partner(request.user, pk)
    contributions = partner.contributions.select_related("unit__region", "recorded_by")
    can_view_contributions = request.user.has_perm(VIEW_CONTRIBUTION)
    context = {
        "partner": partner,
        "kecamatan": partner.kecamatan_served.order_by("name"),
        "contributions": contributions if can_view_contributions else None,
        "totals": partners.totals_by_year(partner.contributions.all()) if can_view_contributions else [],
        "expiry_cutoff": partners.expiry_cutoff(),
        "today": timezone.localdate(),
        "can_edit": request.user.has_perm(CHANGE),
        "can_add_contribution": request.user.has_perm(ADD_CONTRIBUTION),
        "can_change_contribution": request.user.has_perm(CHANGE_CONTRIBUTION),
    }
    return render(request, "members/partners/partner_detail.html", context)


def _save(request, form: PartnerForm) -> Partner | None:
    try:
        return partners.save_partner(
            partner=form.save(commit=False), kecamatan=form.cleaned_data["kecamatan_served"], by=request.user
        )
    except ValidationError as error:
        add_service_error(form, error, fields={"kecamatan_outside": "kecamatan_served"})
        return None


@login_required
def partner_create(request):
    require_perm(request.user, VIEW)
    require_perm(request.user, ADD)
    form = PartnerForm(request.POST or None, user=request.user)
    if form.is_valid() and (partner := _save(request, form)):
        messages.success(request, _("Partner saved."))
        return redirect("partners:detail", pk=partner.pk)
    return render(
        request, "members/partners/partner_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def partner_edit(request, pk):
    partner = _get_partner(request.user, pk, perm=CHANGE)
    form = PartnerForm(request.POST or None, instance=partner, user=request.user)
    if form.is_valid() and _save(request, form):
        messages.success(request, _("Changes saved."))
        return redirect("partners:detail", pk=partner.pk)
    context = {"form": form, "partner": partner}
    return render(request, "members/partners/partner_form.html", context, status=400 if form.errors else 200)


@login_required
def contribution_add(request, pk):
    partner = _get_partner(request.user, pk, perm=ADD_CONTRIBUTION)
    form = ContributionForm(request.POST or None, partner=partner, units=units_of(partner))
    if form.is_valid():
        try:
            partners.record_contribution(by=request.user, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contribution recorded."))
            return redirect("partners:detail", pk=partner.pk)
    context = {"form": form, "partner": partner}
    return render(
        request, "members/partners/contribution_form.html", context, status=400 if form.errors else 200
    )


@login_required
def contribution_edit(request, pk):
    """A contribution's page: its form to correct it, and the way to delete it (contribution_delete)."""
    contribution = _get_contribution(request.user, pk)
    partner = contribution.partner
    form = ContributionForm(
        request.POST or None, instance=contribution, partner=partner, units=units_of(partner)
    )
    if form.is_valid():
        arguments = form.service_arguments()
        del arguments["partner"]
        try:
            partners.change_contribution(contribution=contribution, by=request.user, **arguments)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("partners:detail", pk=partner.pk)
    context = {"form": form, "partner": partner, "contribution": contribution}
    return render(
        request, "members/partners/contribution_form.html", context, status=400 if form.errors else 200
    )


@login_required
def contribution_delete(request, pk):
    """GET: what is about to be deleted, and a button; POST: delete it."""
    contribution = _get_contribution(request.user, pk)
    partner = contribution.partner
    if request.method == "POST":
        partners.delete_contribution(contribution=contribution, by=request.user)
        messages.success(request, _("Contribution deleted."))
        return redirect("partners:detail", pk=partner.pk)
    context = {"partner": partner, "contribution": contribution}
    return render(request, "members/partners/contribution_delete.html", context)


@login_required
def partner_export(request, fmt):
    require_perm(request.user, VIEW)
    export = partners.partner_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def contribution_export(request, fmt):
    require_perm(request.user, VIEW)
    require_perm(request.user, VIEW_CONTRIBUTION)
    export = partners.contribution_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)


def unit_panel(request, unit: Unit) -> dict | None:
    """Partners serving the unit's kecamatan (count and a link) and what partners gave the unit: three
    queries at most, whatever the number of rows."""
    user = request.user
    if not user.has_perm(VIEW) or unit.region.parent_id is None:
        return None
    kecamatan = unit.region.parent_id if unit.region.is_village else unit.region_id
    serving = Partner.objects.visible_to(user).filter(kecamatan_served__code=kecamatan)
    contributions = Contribution.objects.none()
    if user.has_perm(VIEW_CONTRIBUTION):
        contributions = Contribution.objects.visible_to(user).filter(unit=unit)
    expiring = Q(pk__in=serving.expiring().values("pk"))
    figures = Partner.objects.filter(pk__in=serving.values("pk")).aggregate(
        partner_count=Count("pk"), expiring_count=Count("pk", filter=expiring)
    )
    given = contributions.aggregate(total=Sum("value"), count=Count("pk"))
    recent = list(contributions.select_related("partner")[:5]) if given["count"] else []
    context = {"unit": unit, "kecamatan_code": kecamatan, **figures, "given": given, "recent": recent}
    return {"template": "members/partners/_unit_panel.html", "context": context}


def member_panel(request, member) -> dict | None:
    """This subject's section on the member page (members.panels), or None."""
    return None
