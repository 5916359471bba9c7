"""A unit's work programme (program kerja): pages (members/programmes_urls.py); the rules are in
members/programmes.py.

A unit's programme is kept by its coordinator and the staff of its kab/kota, read by heads; a region's page
(and its export) shows % realised per sub-region, or per unit of a kecamatan. Everything comes through
members.access: outside the scope 404, read-only 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ipsm.lib.dates import is_asked_year
from ipsm.lib.exports import Column, Export, export_response
from ipsm.lib.forms import add_error_messages
from ipsm.lib.query import is_region_code
from members import programmes
from members.access import get_for_user, require_perm
from members.models import ProgrammeActivity, Region, Unit, WorkProgramme
from members.programme_forms import ActivityForm, AdoptedForm, ByHandForm, StartForm

VIEW, ADD, CHANGE = "members.view_workprogramme", "members.add_workprogramme", "members.change_workprogramme"
BY_HAND = "manual"


def _year(year: int | None) -> int:
    """The programme year asked for (ipsm.lib.dates.is_asked_year, else 404); the current year when none."""
    year = year or timezone.localdate().year
    if not is_asked_year(year):
        raise Http404
    return year


def _programme(request, pk, perm: str = VIEW) -> WorkProgramme:
    queryset = WorkProgramme.objects.select_related("unit__region")
    return get_for_user(queryset, request.user, pk=pk, perm=perm)


def _activity(request, pk, perm: str = VIEW) -> ProgrammeActivity:
    queryset = ProgrammeActivity.objects.select_related("programme__unit__region", "partner", "meeting")
    return get_for_user(queryset, request.user, pk=pk, perm=perm)


def _to_programme(programme: WorkProgramme):
    return redirect("programmes:unit", pk=programme.unit_id, year=programme.year)


@login_required
def unit_programme(request, pk, year=None):
    """The unit's programme of the year, month by month, with what realised each activity (four queries)."""
    user = request.user
    unit = get_for_user(Unit.objects.select_related("region"), user, pk=pk, perm=VIEW)
    year = _year(year)
    today = timezone.localdate()
    programme = WorkProgramme.objects.filter(unit=unit, year=year).select_related("adopted_at").first()
    activities = []
    if programme is not None:
        activities = list(
            programme.activities.with_overdue(through_month=programmes.months_ended(year, today))
            .select_related("partner", "meeting")
            .prefetch_related("events")
        )
    years = sorted({*unit.programmes.values_list("year", flat=True), today.year, year})
    context = {
        "unit": unit,
        "year": year,
        "years": years,
        "programme": programme,
        "activities": activities,
        "tally": programmes.tally(programme.activities.all(), year, today) if programme else None,
        "can_add": user.has_perm(ADD),
        "can_change": user.has_perm(CHANGE),
        "start_form": StartForm(),
        "can_copy": year - 1 in years,
        "adopted_form": AdoptedForm(instance=programme) if programme and user.has_perm(CHANGE) else None,
    }
    return render(request, "members/programmes/unit_programme.html", context)


@require_POST
@login_required
def start(request, pk, year):
    unit = get_for_user(Unit.objects.all(), request.user, pk=pk, perm=ADD)
    year = _year(year)
    form = StartForm(request.POST)
    copy_from = None
    if form.is_valid() and form.cleaned_data["copy"]:
        copy_from = WorkProgramme.objects.filter(unit=unit, year=year - 1).first()
    try:
        programme = programmes.start_programme(unit=unit, year=year, by=request.user, copy_from=copy_from)
    except ValidationError as error:
        add_error_messages(request, error)
        return redirect("programmes:unit", pk=unit.pk, year=year)
    messages.success(request, _("Work programme %(year)s started. Add its activities.") % {"year": year})
    return _to_programme(programme)


@require_POST
@login_required
def adopted(request, pk):
    programme = _programme(request, pk, CHANGE)
    form = AdoptedForm(request.POST, instance=programme)
    if form.is_valid():
        form.instance._history_user = request.user
        form.save()
        messages.success(request, _("Changes saved."))
    else:
        add_error_messages(request, ValidationError(_("Choose a meeting of the unit.")))
    return _to_programme(programme)


@login_required
def activity_add(request, pk):
    programme = _programme(request, pk, CHANGE)
    return _activity_form(request, programme, ProgrammeActivity())


@login_required
def activity_edit(request, pk):
    activity = _activity(request, pk, CHANGE)
    return _activity_form(request, activity.programme, activity)


def _activity_form(request, programme: WorkProgramme, activity: ProgrammeActivity):
    form = ActivityForm(request.POST or None, instance=activity, programme=programme)
    if form.is_valid():
        try:
            programmes.save_activity(activity=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Activity saved."))
            return _to_programme(programme)
    context = {"form": form, "programme": programme, "activity": activity if activity.pk else None}
    status = 400 if form.is_bound else 200
    return render(request, "members/programmes/activity_form.html", context, status=status)


@require_POST
@login_required
def activity_remove(request, pk):
    activity = _activity(request, pk, CHANGE)
    programmes.remove_activity(activity=activity, by=request.user)
    messages.success(request, _("Activity removed from the programme."))
    return _to_programme(activity.programme)


@login_required
def activity_detail(request, pk):
    """The activity, and for those who keep the programme, what may realise it: each source's candidates
    and the by-hand form."""
    activity = _activity(request, pk)
    can_change = request.user.has_perm(CHANGE)
    choices = []
    if can_change and not activity.is_realised:
        planned = datetime.date(activity.programme.year, activity.month, 15)
        for source in programmes.sources_for(activity):
            candidates = source.candidates(activity)
            nearest = min(candidates, key=lambda c: abs((c.on - planned).days), default=None)
            choices.append({"source": source, "candidates": candidates, "nearest": nearest})
    context = {
        "activity": activity,
        "programme": activity.programme,
        "events": list(activity.events.all()),
        "can_change": can_change,
        "choices": choices,
        "by_hand_form": ByHandForm(activity=activity) if can_change and not activity.is_realised else None,
    }
    return render(request, "members/programmes/activity_detail.html", context)


@require_POST
@login_required
def realise(request, pk):
    """Realised by a record of a source (?sumber=<key>, ref=<its candidate>) or by hand (sumber=manual)."""
    activity = _activity(request, pk, CHANGE)
    key = request.POST.get("sumber", "")
    try:
        if key == BY_HAND:
            form = ByHandForm(request.POST, activity=activity)
            if not form.is_valid():
                problems = form.errors.items()
                raise ValidationError([f"{form[n].label}: {text}" for n, texts in problems for text in texts])
            programmes.realise_by_hand(
                activity=activity,
                on=form.cleaned_data["realised_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        else:
            source = next((s for s in programmes.sources_for(activity) if s.key == key), None)
            if source is None:
                raise ValidationError(_("Choose how the activity was realised."))
            source.link(activity=activity, ref=request.POST.get("ref", ""), by=request.user)
    except ValidationError as error:
        add_error_messages(request, error)
        return redirect("programmes:activity", pk=activity.pk)
    messages.success(request, _("The activity is marked realised."))
    return _to_programme(activity.programme)


@require_POST
@login_required
def unrealise(request, pk):
    activity = _activity(request, pk, CHANGE)
    programmes.unrealise(activity=activity, by=request.user)
    messages.success(request, _("The activity is planned again (not realised)."))
    return redirect("programmes:activity", pk=activity.pk)


# --- A region's page -------------------------------------------------------------------------------------


def _region(request, code) -> Region:
    if not is_region_code(code):
        raise Http404
    region = get_object_or_404(Region.objects.visible_to(request.user), code=code)
    require_perm(request.user, VIEW)
    return region


def _asked_year(request) -> int:
    value = request.GET.get("tahun", "")
    return _year(int(value) if value.isascii() and value.isdigit() and len(value) == 4 else None)


def _region_rows(region: Region, year: int):
    """The region's total and its groups, each with its name and the page it opens (two more queries)."""
    total, groups = programmes.region_tallies(region.code, year, timezone.localdate())
    length = programmes.CHILD_LENGTH.get(len(region.code), len(region.code))
    keys = [group.key for group in groups]
    names = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    found = Unit.objects.filter(region_id__in=keys).select_related("region")
    units = {unit.region_id: unit for unit in found}
    unit_level = length == 13
    for group in groups:
        group.name = names.get(group.key, group.key)
        # A unit (a desa's, or the region's own IPSM unit of the kab/kota or kecamatan) opens its programme.
        own_unit = len(group.key) < length
        if (unit_level or own_unit) and group.key in units:
            group.name = str(units[group.key])
            group.url = reverse("programmes:unit", kwargs={"pk": units[group.key].pk, "year": year})
        elif not unit_level:
            group.url = reverse("programmes:region", kwargs={"code": group.key}) + f"?tahun={year}"
    return total, groups, unit_level


@require_GET
@login_required
def region_programmes(request, code):
    region = _region(request, code)
    year = _asked_year(request)
    total, groups, unit_level = _region_rows(region, year)
    today = timezone.localdate()
    context = {
        "region": region,
        "year": year,
        "years": list(range(max(today.year - 4, 2000), today.year + 2)),
        "total": total,
        "groups": groups,
        "unit_level": unit_level,
    }
    return render(request, "members/programmes/region.html", context)


COLUMNS = [
    Column(gettext_lazy("Code"), lambda g: g.key, 15),
    Column(gettext_lazy("Region or unit"), lambda g: g.name, 28),
    Column(gettext_lazy("IPSM units"), lambda g: g.units, 10),
    Column(gettext_lazy("Units with a programme"), lambda g: g.with_programme, 12),
    Column(gettext_lazy("Activities planned"), lambda g: g.planned, 12),
    Column(gettext_lazy("Activities realised"), lambda g: g.realised, 12),
    Column(gettext_lazy("Realised (%)"), lambda g: g.percent, 10),
    Column(gettext_lazy("Overdue"), lambda g: g.overdue, 10),
]


@require_GET
@login_required
def region_export(request, code, fmt):
    region = _region(request, code)
    year = _asked_year(request)
    _total, groups, _unit_level = _region_rows(region, year)
    export = Export(
        list_name="programmes",
        file_stem=f"program-kerja-{region.code}-{year}",
        columns=COLUMNS,
        rows=groups,
        filters={"wilayah": region.code, "tahun": str(year)},
        sheet_title=_("Work programme"),
    )
    return export_response(export, user=request.user, file_format=fmt)


def unit_panel(request, unit) -> dict | None:
    """This year's programme of the unit: planned, realised, overdue (one query)."""
    if not request.user.has_perm(VIEW):
        return None
    today = timezone.localdate()
    tally = programmes.unit_tally(unit, today.year, today)
    return {
        "template": "members/programmes/_unit_panel.html",
        "context": {"unit": unit, "year": today.year, "tally": tally},
    }


def member_panel(request, member) -> None:
    """Nothing on a member's page: the programme is the unit's."""
    return None
