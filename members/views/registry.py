"""Pages of the PSM registry. Every view is login-only; objects come through members.access helpers,
so out-of-scope objects give 404 and read-only users get 403 on writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ipsm.lib.concurrency import save_unless_changed
from ipsm.lib.forms import add_error_messages
from ipsm.lib.query import PAGE
from ipsm.lib.tables import BoundedRequestConfig
from members import services
from members.access import NikPolicy, get_for_user, require_perm
from members.filters import MemberFilter, UnitFilter
from members.forms import (
    BoardPositionForm,
    EndPositionForm,
    MemberForm,
    NewMemberForm,
    StatusChangeForm,
    TransferForm,
    UnitChoiceMemberForm,
    UnitForm,
)
from members.history import history_entries, member_history
from members.models import BOARD_ROLE_ORDER, BoardPosition, Meeting, Member, Region, Unit
from members.nik import is_typed_nik, normalize_nik
from members.panels import render_member_panels, render_unit_panels
from members.tables import MemberTable, UnitTable
from members.views.photos import photo_and_card_context

PAGE_SIZES = (25, 50, 100)


def _get_member(user, pk, perm=None) -> Member:
    queryset = Member.objects.select_related("unit__region", "kelurahan", "merged_into")
    return get_for_user(queryset, user, pk=pk, perm=perm)


def _get_unit(user, pk, perm=None) -> Unit:
    return get_for_user(Unit.objects.select_related("region__parent"), user, pk=pk, perm=perm)


@login_required
def member_list(request):
    members = Member.objects.visible_to(request.user).select_related("unit__region")
    member_filter = MemberFilter(request.GET, queryset=members, user=request.user)
    table = MemberTable(member_filter.qs)
    BoundedRequestConfig(request, page_sizes=PAGE_SIZES).configure(table)
    form = member_filter.form
    context = {
        "filter": member_filter,
        "table": table,
        "page_sizes": PAGE_SIZES,
        # The filters fold away on a phone; they stay open while any is in use.
        "filters_used": sum(1 for field in form if field.name != "cari" and field.value()),
    }
    return render(request, "members/member_list.html", context)


@sensitive_post_parameters("cari")
@require_POST
@login_required
def member_search(request):
    """The list's one form (search box and filters) posts here, so that a NIK typed into it never appears in
    a URL or an access log.

    A whole NIK opens that member's page; any other text becomes the list's name/KTA search, with the filters.
    """
    text = request.POST.get("cari", "").strip()
    if is_typed_nik(text):
        try:
            member = services.look_up_nik(nik=normalize_nik(text), by=request.user)
        except services.NikSearchRefused as refusal:
            messages.error(request, str(refusal))
        except Member.DoesNotExist:
            messages.warning(request, _("No member with this NIK in your area."))
        else:
            return redirect("members:detail", pk=member.pk)
        return redirect("members:list")
    # The list's one form posts the filters along with the text: all of them go on, the empty ones left out.
    query = QueryDict(mutable=True)
    for name, values in request.POST.lists():
        if name not in ("csrfmiddlewaretoken", PAGE) and (kept := [value for value in values if value]):
            query.setlist(name, kept)
    return redirect(f"{reverse('members:list')}?{query.urlencode()}" if query else reverse("members:list"))


@login_required
def member_detail(request, pk):
    member = _get_member(request.user, pk)
    can_edit = request.user.has_perm("members.change_member")
    nik_whole = NikPolicy(request.user).shows_whole(member)
    context = {
        "member": member,
        "can_edit": can_edit,
        "nik_whole": nik_whole,
        "can_transfer": request.user.has_perm("members.transfer_member"),
        "status_changes": member.status_changes.select_related("changed_by"),
        "transfers": member.transfers.select_related(
            "from_unit__region", "to_unit__region", "transferred_by"
        ),
        "board_positions": member.board_positions.select_related("unit__region"),
        "merged_records": member.merged_records.all(),
        "history": member_history(member, can_edit=can_edit) if can_edit else None,
        "panels": render_member_panels(request, member),
        # The photo and the member card (members/views/photos.py).
        **photo_and_card_context(member, can_edit=can_edit),
    }
    return render(request, "members/member_detail.html", context)


@sensitive_post_parameters("nik")
@login_required
def member_create(request, unit_pk):
    unit = _get_unit(request.user, unit_pk, perm="members.add_member")
    form = NewMemberForm(request.POST or None, user=request.user, unit=unit)
    if form.is_valid():
        return _register(request, form, unit)
    return render(request, "members/member_form.html", {"form": form, "unit": unit})


@sensitive_post_parameters("nik")
@login_required
def member_add(request):
    """Registering from the member list: the unit is chosen in the form (a coordinator's own is preset)."""
    require_perm(request.user, "members.add_member")
    asked = request.GET.get("unit")  # ?unit= from the list's unit filter
    form = UnitChoiceMemberForm(request.POST or None, user=request.user, requested_unit=asked)
    if form.is_valid():
        return _register(request, form, form.cleaned_data["unit"])
    return render(request, "members/member_form.html", {"form": form, "unit": form.unit})


def _register(request, form: NewMemberForm, unit: Unit):
    member = form.save(commit=False)
    member.unit = unit
    member.status_since = member.joined_on
    services.register_member(member=member, by=request.user)
    messages.success(
        request,
        _("%(name)s is registered with KTA %(kta)s.") % {"name": member.full_name, "kta": member.kta_number},
    )
    return redirect("members:detail", pk=member.pk)


@sensitive_post_parameters("nik")
@login_required
def member_edit(request, pk):
    member = _get_member(request.user, pk, perm="members.change_member")
    form = MemberForm(request.POST or None, instance=member, user=request.user, unit=member.unit)
    if form.is_valid() and save_unless_changed(form):
        messages.success(request, _("Changes saved."))
        return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "unit": member.unit, "member": member})


@login_required
def member_status(request, pk):
    member = _get_member(request.user, pk, perm="members.change_member")
    # Activation checks run in the form: their warnings must be confirmed, then go into the note.
    form = StatusChangeForm(request.POST or None, member=member)
    if form.is_valid():
        try:
            services.change_member_status(
                member=member,
                by=request.user,
                new_status=form.cleaned_data["new_status"],
                reason=form.cleaned_data["reason"],
                changed_on=form.cleaned_data["changed_on"],
                note=form.status_note(),
            )
        except ValidationError as error:
            add_error_messages(request, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_status.html", {"form": form, "member": member})


@login_required
def member_transfer(request, pk):
    member = _get_member(request.user, pk, perm="members.transfer_member")
    form = TransferForm(request.POST or None, member=member, user=request.user)
    if form.is_valid():
        try:
            services.transfer_member(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_error_messages(request, error)
        else:
            messages.success(
                request,
                _("%(name)s now belongs to %(unit)s.")
                % {"name": member.full_name, "unit": form.cleaned_data["to_unit"]},
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_transfer.html", {"form": form, "member": member})


@login_required
def unit_list(request):
    units = Unit.objects.visible_to(request.user).select_related("region__parent").with_member_counts()
    unit_filter = UnitFilter(request.GET, queryset=units, user=request.user)
    table = UnitTable(unit_filter.qs)
    BoundedRequestConfig(request, page_sizes=(50,)).configure(table)
    return render(request, "members/unit_list.html", {"filter": unit_filter, "table": table})


@login_required
def unit_detail(request, pk):
    unit = _get_unit(request.user, pk)
    today = timezone.localdate()
    board = sorted(
        unit.board.current().select_related("member"),
        key=lambda p: (BOARD_ROLE_ORDER[p.role], p.term_starts_on),
    )
    for position in board:
        position.warning = position.term_warning(today)
    roster = unit.members.not_merged().select_related("kelurahan").order_by("status", "full_name")
    can_edit_unit = request.user.has_perm("members.change_unit")
    context = {
        "unit": unit,
        "board": board,
        "roster": roster,
        "counts": Unit.objects.filter(pk=unit.pk)
        .with_member_counts()
        .values("active_count", "candidate_count", "inactive_count")[0],
        "can_add_member": request.user.has_perm("members.add_member"),
        "can_edit_board": request.user.has_perm("members.change_boardposition"),
        "can_confirm": request.user.has_perm("members.confirm_roster"),
        "can_edit_unit": can_edit_unit,
        "parent_visible": _sees_parent(request.user, unit.region),
        "history": history_entries(unit, show_nik=False) if can_edit_unit else None,
        "panels": render_unit_panels(request, unit),
    }
    return render(request, "members/unit_detail.html", context)


@login_required
def unit_create(request):
    require_perm(request.user, "members.add_unit")
    form = UnitForm(request.POST or None, user=request.user)
    if form.is_valid():
        unit = form.save()
        messages.success(request, _("%(unit)s is created.") % {"unit": unit})
        return redirect("members:unit_detail", pk=unit.pk)
    return render(request, "members/unit_form.html", {"form": form})


@login_required
def unit_edit(request, pk):
    unit = _get_unit(request.user, pk, perm="members.change_unit")
    form = UnitForm(request.POST or None, instance=unit, user=request.user)
    if form.is_valid() and save_unless_changed(form):
        messages.success(request, _("Changes saved."))
        return redirect("members:unit_detail", pk=unit.pk)
    return render(request, "members/unit_form.html", {"form": form, "unit": unit})


@require_POST
@login_required
def unit_confirm_roster(request, pk):
    unit = _get_unit(request.user, pk, perm="members.confirm_roster")
    services.confirm_roster(unit=unit, by=request.user)
    messages.success(request, _("Roster marked as checked today."))
    return redirect("members:unit_detail", pk=unit.pk)


@login_required
def board_add(request, unit_pk):
    unit = _get_unit(request.user, unit_pk, perm="members.add_boardposition")
    # ?rapat=<pk>: recorded from a musyawarah's page (members/views/meetings.py), elected at it.
    meeting = _elected_at(request, unit)
    form = BoardPositionForm(request.POST or None, unit=unit, user=request.user)
    if form.is_valid():
        try:
            services.appoint_board_member(unit=unit, by=request.user, elected_at=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_error_messages(request, error)
        else:
            messages.success(request, _("Board updated."))
            if meeting is not None:
                return redirect("meetings:detail", pk=meeting.pk)
            return redirect("members:unit_detail", pk=unit.pk)
    return render(request, "members/board_form.html", {"form": form, "unit": unit, "meeting": meeting})


def _elected_at(request, unit: Unit) -> Meeting | None:
    """The unit's meeting named by ?rapat= (404 unless the user sees it); the service checks its kind."""
    value = request.GET.get("rapat", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404
    return get_object_or_404(Meeting.objects.visible_to(request.user).filter(unit=unit), pk=value)


@login_required
def board_end(request, pk):
    position = get_for_user(
        BoardPosition.objects.select_related("member", "unit__region"),
        request.user,
        pk=pk,
        perm="members.change_boardposition",
    )
    form = EndPositionForm(request.POST or None)
    if form.is_valid():
        services.end_board_position(position=position, by=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s has left the board.") % {"name": position.member.full_name})
        return redirect("members:unit_detail", pk=position.unit_id)
    return render(request, "members/board_end.html", {"form": form, "position": position})


@login_required
def region_detail(request, code):
    """Drill-down: a region in scope with its child regions' registry figures."""
    region = get_object_or_404(Region.objects.visible_to(request.user).select_related("parent"), code=code)
    return render(request, "members/region_detail.html", _region_context(region, request.user))


def _region_context(region: Region, user) -> dict:
    today = timezone.localdate()
    units = Unit.objects.visible_to(user).within(region.code)
    return {
        "region": region,
        "rows": region.children.with_registry_counts().order_by("code"),
        "unit": Unit.objects.filter(region=region).first(),
        "stale_units": units.roster_stale()
        .select_related("region")
        .order_by("roster_confirmed_at", "region_id")[:20],
        "stale_count": units.roster_stale().count(),
        "ending_positions": BoardPosition.objects.needing_attention(today)
        .filter(unit__in=units)
        .select_related("member", "unit__region")
        .order_by("term_ends_on")[:20],
        "today": today,
        "parent_visible": _sees_parent(user, region),
    }


def _sees_parent(user, region: Region) -> bool:
    """Whether the breadcrumb may link to the region above: not above the user's scope (a coordinator's
    ends at their unit, staff's at their kab/kota), where the link would only give 404."""
    parent = region.parent_id
    return bool(parent) and Region.objects.visible_to(user).filter(code=parent).exists()
