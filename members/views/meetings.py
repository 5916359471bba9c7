"""The IPSM's meetings: pages (members/meetings_urls.py); the rules are in members/meetings.py.

A unit's meetings are kept by its coordinator and the staff of its kab/kota; a forum's (kecamatan or
kab/kota, no unit) by staff. Everything comes through members.access: outside the scope 404, read-only 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipsm.lib.forms import add_error_messages
from ipsm.lib.images import private_file_response
from members import meetings
from members.access import get_for_user, require_perm
from members.meeting_forms import AttachmentForm, DecisionForm, FollowUpDoneForm, FollowUpForm, MeetingForm
from members.models import FollowUp, Meeting, MeetingAttachment, MeetingDecision, MeetingKind, Region, Unit

VIEW, ADD, CHANGE = "members.view_meeting", "members.add_meeting", "members.change_meeting"


def _meeting(request, pk, perm: str = VIEW) -> Meeting:
    queryset = Meeting.objects.select_related("unit__region", "region")
    return get_for_user(queryset, request.user, pk=pk, perm=perm)


def _forum_region(request, code) -> Region:
    """A kecamatan or kab/kota the user sees (a coordinator sees only their desa/kelurahan: 404)."""
    if "\x00" in code:
        raise Http404
    regions = Region.objects.visible_to(request.user).filter(level__in=meetings.FORUM_LEVELS)
    region = get_object_or_404(regions, code=code)
    require_perm(request.user, VIEW)
    return region


def _list(meeting_qs):
    return meeting_qs.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
        expected_count=Count("attendance", distinct=True),
    )


def _back(meeting: Meeting):
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def unit_meetings(request, pk):
    unit = get_for_user(Unit.objects.select_related("region"), request.user, pk=pk, perm=VIEW)
    context = {
        "unit": unit,
        "meetings": _list(Meeting.objects.visible_to(request.user).filter(unit=unit)),
        "can_add": request.user.has_perm(ADD),
        "create_url": ("meetings:unit_create", unit.pk),
    }
    return render(request, "members/meetings/meeting_list.html", context)


@login_required
def region_meetings(request, code):
    region = _forum_region(request, code)
    forum = Meeting.objects.visible_to(request.user).filter(region=region, unit__isnull=True)
    context = {"region": region, "meetings": _list(forum), "can_add": request.user.has_perm(ADD)}
    return render(request, "members/meetings/meeting_list.html", context)


@login_required
def unit_create(request, pk):
    unit = get_for_user(Unit.objects.select_related("region"), request.user, pk=pk, perm=ADD)
    return _create(request, Meeting(unit=unit, region=unit.region), unit=unit)


@login_required
def region_create(request, code):
    region = _forum_region(request, code)
    require_perm(request.user, ADD)
    return _create(request, Meeting(region=region), region=region)


def _create(request, meeting: Meeting, **context):
    form = MeetingForm(request.POST or None, instance=meeting)
    if form.is_valid():
        meetings.create_meeting(meeting=form.instance, by=request.user)
        messages.success(request, _("Meeting recorded. Tick who was present."))
        return redirect("meetings:attendance", pk=meeting.pk)
    return render(request, "members/meetings/meeting_form.html", {"form": form, **context})


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    today = timezone.localdate()
    follow_ups = list(meeting.follow_ups.select_related("responsible", "decision"))
    for follow_up in follow_ups:
        follow_up.overdue = not follow_up.is_done and follow_up.due_on < today
    attendance = list(meeting.attendance.select_related("member"))
    context = {
        "meeting": meeting,
        "attendance": attendance,
        "present_count": sum(1 for row in attendance if row.present),
        "decisions": list(meeting.decisions.all()),
        "follow_ups": follow_ups,
        "attachments": list(meeting.attachments.all()),
        "can_change": request.user.has_perm(CHANGE),
        "can_record_board": (
            meeting.unit_id is not None
            and meeting.kind == MeetingKind.MUSYAWARAH
            and request.user.has_perm("members.add_boardposition")
        ),
        "elected": list(meeting.elected_positions.select_related("member")),
        "today": today,
    }
    return render(request, "members/meetings/meeting_detail.html", context)


@login_required
def meeting_edit(request, pk):
    meeting = _meeting(request, pk, CHANGE)
    form = MeetingForm(request.POST or None, instance=meeting)
    if form.is_valid():
        form.instance._history_user = request.user
        form.save()
        messages.success(request, _("Changes saved."))
        return _back(meeting)
    return render(request, "members/meetings/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_attendance(request, pk):
    """One form of checkboxes; "Semua hadir" ticks everyone, then the absent are unticked and saved."""
    meeting = _meeting(request, pk, CHANGE)
    if request.method == "POST":
        if "semua_hadir" in request.POST:
            meetings.mark_all_present(meeting=meeting, by=request.user)
            messages.success(request, _("Everyone is ticked present. Untick those who were absent and save."))
            return redirect("meetings:attendance", pk=meeting.pk)
        present = {
            int(value) for value in request.POST.getlist("hadir") if value.isascii() and value.isdigit()
        }
        count = meetings.record_attendance(meeting=meeting, present_ids=present, by=request.user)
        messages.success(request, _("Attendance saved: %(count)s present.") % {"count": count})
        return _back(meeting)
    attendance = meeting.attendance.select_related("member__unit")
    return render(request, "members/meetings/attendance.html", {"meeting": meeting, "attendance": attendance})


@login_required
def meeting_decisions(request, pk):
    """Decisions and follow-ups: two small forms on one page, each with its own submit button."""
    meeting = _meeting(request, pk, CHANGE)
    posted = request.POST if request.method == "POST" else None
    decision_form = DecisionForm(posted if posted and "keputusan" in posted else None, prefix="keputusan")
    follow_up_form = FollowUpForm(posted if posted and "tindak_lanjut" in posted else None, meeting=meeting)
    if decision_form.is_bound and decision_form.is_valid():
        meetings.add_decision(meeting=meeting, by=request.user, **decision_form.cleaned_data)
        messages.success(request, _("Decision added."))
        return redirect("meetings:decisions", pk=meeting.pk)
    if follow_up_form.is_bound and follow_up_form.is_valid():
        try:
            meetings.add_follow_up(meeting=meeting, by=request.user, **follow_up_form.cleaned_data)
        except ValidationError as error:
            follow_up_form.add_error(None, error)
        else:
            messages.success(request, _("Follow-up added."))
            return redirect("meetings:decisions", pk=meeting.pk)
    if posted is not None and not (decision_form.is_bound or follow_up_form.is_bound):
        decision_form = DecisionForm(posted, prefix="keputusan")
        decision_form.is_valid()  # nothing recognisable was sent: show the decision form's errors
    context = {
        "meeting": meeting,
        "decision_form": decision_form,
        "follow_up_form": follow_up_form,
        "decisions": meeting.decisions.all(),
        "follow_ups": meeting.follow_ups.select_related("responsible"),
    }
    return render(request, "members/meetings/decisions.html", context, status=400 if posted else 200)


@require_POST
@login_required
def decision_remove(request, pk):
    visible = Meeting.objects.visible_to(request.user)
    decision = get_object_or_404(MeetingDecision.objects.filter(meeting__in=visible), pk=pk)
    require_perm(request.user, CHANGE)
    meetings.remove_decision(decision=decision, by=request.user)
    messages.success(request, _("Decision removed."))
    return redirect("meetings:decisions", pk=decision.meeting_id)


def _follow_up(request, pk) -> FollowUp:
    visible = Meeting.objects.visible_to(request.user)
    follow_up = get_object_or_404(FollowUp.objects.filter(meeting__in=visible), pk=pk)
    require_perm(request.user, CHANGE)
    return follow_up


@require_POST
@login_required
def follow_up_done(request, pk):
    follow_up = _follow_up(request, pk)
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            meetings.mark_follow_up_done(follow_up=follow_up, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_error_messages(request, error)
        else:
            messages.success(request, _("Follow-up marked done."))
    else:
        add_error_messages(request, ValidationError(list(form.errors.values())))
    return redirect("meetings:detail", pk=follow_up.meeting_id)


@require_POST
@login_required
def follow_up_reopen(request, pk):
    follow_up = _follow_up(request, pk)
    meetings.reopen_follow_up(follow_up=follow_up, by=request.user)
    messages.success(request, _("Follow-up marked not done."))
    return redirect("meetings:detail", pk=follow_up.meeting_id)


@login_required
def attachment_add(request, pk):
    meeting = _meeting(request, pk, CHANGE)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        meetings.add_attachment(
            meeting=meeting,
            document=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            by=request.user,
        )
        messages.success(request, _("Attachment saved."))
        return _back(meeting)
    status = 400 if form.is_bound else 200
    return render(
        request, "members/meetings/attachment_form.html", {"form": form, "meeting": meeting}, status=status
    )


@login_required
def attachment_file(request, pk):
    """The file, only for whoever may see its meeting."""
    visible = Meeting.objects.visible_to(request.user)
    attachment = get_object_or_404(MeetingAttachment.objects.filter(meeting__in=visible), pk=pk)
    require_perm(request.user, VIEW)
    return private_file_response(attachment.file)


@require_POST
@login_required
def attachment_remove(request, pk):
    visible = Meeting.objects.visible_to(request.user)
    attachment = get_object_or_404(MeetingAttachment.objects.filter(meeting__in=visible), pk=pk)
    require_perm(request.user, CHANGE)
    meetings.remove_attachment(attachment=attachment, by=request.user)
    messages.success(request, _("Attachment removed."))
    return redirect("meetings:detail", pk=attachment.meeting_id)


def unit_panel(request, unit) -> dict | None:
    """The unit page's meetings: last meeting, open follow-ups (overdue ones highlighted), the list. Two
    queries."""
    if not request.user.has_perm(VIEW):
        return None
    summary = meetings.unit_summary(unit, timezone.localdate())
    return {"template": "members/meetings/_unit_panel.html", "context": {"unit": unit, **summary}}


def member_panel(request, member) -> dict | None:
    """This subject's section on the member page (members.panels), or None."""
    return None
