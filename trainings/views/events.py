"""Training event pages. Every view needs trainings.view_event first (coordinators get 403), then the event
comes through members.access.get_for_user: 404 unless the user's office organises it, 403 on writes for
read-only users. A joint event is managed by the staff of every organising office."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ipsm.lib.forms import add_error_messages, add_service_error
from ipsm.lib.query import PAGE, parse_id
from ipsm.lib.tables import BoundedRequestConfig
from members.access import get_for_user, require_perm
from members.models import Member, Partner
from members.partner_forms import ContributionForm
from trainings import services
from trainings.filters import EventFilter, InviteFilter
from trainings.forms import (
    DAY,
    AttendanceDayForm,
    EventForm,
    ScoresForm,
    SessionForm,
    attendance_tabs,
    default_day,
    event_day,
)
from trainings.models import Attendance, Event, Organiser, Session
from trainings.tables import EventTable

VIEW_EVENT = "trainings.view_event"
CHANGE_PARTICIPANT = "trainings.change_participant"
# services.save_event's refusals about who organises, shown under the organisers field.
ORGANISER_ERRORS = ("not_own_organiser", "last_organiser", "own_region_missing", "no_organiser")
INVITE_PAGE_SIZE = 50


def _organisers() -> Prefetch:
    queryset = Organiser.objects.select_related("region").order_by("region_id", "institution_name")
    return Prefetch("organisers", queryset=queryset)


def _get_event(user, pk, perm: str | None = None) -> Event:
    require_perm(user, VIEW_EVENT)
    return get_for_user(Event.objects.prefetch_related(_organisers()), user, pk=pk, perm=perm)


def _participants(event: Event):
    return event.participants.select_related("member__unit__region").prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.order_by("day"))
    )


@login_required
def event_list(request):
    require_perm(request.user, VIEW_EVENT)
    accepted = Prefetch("organisers", queryset=_accepted_organisers())
    events = Event.objects.visible_to(request.user).with_counts().prefetch_related(accepted).newest_first()
    event_filter = EventFilter(request.GET, queryset=events)
    table = EventTable(event_filter.qs)
    BoundedRequestConfig(request, page_sizes=(25,)).configure(table)
    context = {
        "filter": event_filter,
        "table": table,
        "can_add": request.user.has_perm("trainings.add_event"),
        "invitations": _invitations(request.user),
    }
    return render(request, "trainings/event_list.html", context)


def _invitations(user) -> list[Organiser]:
    """Invitations to co-organise, for those who may answer them (staff of the invited office)."""
    if not user.has_perm("trainings.change_event"):
        return []
    invitations = Organiser.objects.invitations_for(user).select_related("region", "event", "invited_by")
    return list(invitations.prefetch_related(Prefetch("event__organisers", queryset=_accepted_organisers())))


def _accepted_organisers():
    return Organiser.objects.accepted().select_related("region").order_by("region_id", "institution_name")


def _save_event_form(request, form: EventForm):
    """Save through services.save_event; None (with the error on the form) when the service refuses."""
    try:
        with transaction.atomic():
            event = services.save_event(
                event=form.save(commit=False),
                organiser_regions=form.cleaned_data["organiser_regions"],
                other_organisers=form.cleaned_data["other_organisers"],
                by=request.user,
            )
            services.set_sponsors(event=event, sponsors=form.cleaned_data["sponsors"], by=request.user)
            return event
    except ValidationError as error:
        add_service_error(form, error, fields=dict.fromkeys(ORGANISER_ERRORS, "organiser_regions"))
        return None


@login_required
def event_create(request):
    require_perm(request.user, VIEW_EVENT)
    require_perm(request.user, "trainings.add_event")
    form = EventForm(request.POST or None, user=request.user)
    if form.is_valid() and (event := _save_event_form(request, form)):
        messages.success(request, _("Training event saved."))
        return redirect("trainings:detail", pk=event.pk)
    return render(request, "trainings/event_form.html", {"form": form})


@login_required
def event_edit(request, pk):
    event = _get_event(request.user, pk, perm="trainings.change_event")
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if form.is_valid() and _save_event_form(request, form):
        if not Event.objects.visible_to(request.user).filter(pk=event.pk).exists():
            messages.success(
                request, _("Your Dinas Sosial no longer organises %(event)s.") % {"event": event}
            )
            return redirect("trainings:list")
        messages.success(request, _("Changes saved."))
        return redirect("trainings:detail", pk=event.pk)
    return render(request, "trainings/event_form.html", {"form": form, "event": event})


@require_POST
@login_required
def invitation_answer(request, pk):
    """Staff of an invited office accept or decline to organise an event together with the inviter."""
    require_perm(request.user, VIEW_EVENT)
    invitation = get_object_or_404(Organiser.objects.invitations_for(request.user), pk=pk)
    require_perm(request.user, "trainings.change_event")
    answer = request.POST.get("answer")
    if answer not in ("terima", "tolak"):
        messages.error(request, _("Choose to accept or to decline the invitation."))
        return redirect("trainings:list")
    try:
        services.answer_invitation(organiser=invitation, accept=answer == "terima", by=request.user)
    except ValidationError as error:  # answered meanwhile by a colleague
        add_error_messages(request, error)
        return redirect("trainings:list")
    if answer == "terima":
        messages.success(
            request,
            _("Dinas Sosial %(region)s now organises %(event)s.")
            % {"region": invitation.region, "event": invitation.event},
        )
        return redirect("trainings:detail", pk=invitation.event_id)
    messages.success(request, _("Invitation to %(event)s declined.") % {"event": invitation.event})
    return redirect("trainings:list")


def _detail_context(
    request,
    event: Event,
    session_form: SessionForm | None = None,
    contribution_form: ContributionForm | None = None,
) -> dict:
    user = request.user
    participants = list(_participants(event))
    can_change = user.has_perm("trainings.change_event")
    if session_form is None and user.has_perm("trainings.add_session"):
        session_form = SessionForm(event=event, user=user)
    return {
        "event": event,
        "days": event.days,
        "sessions": event.sessions.select_related("speaker__member"),
        "participants": [
            (p, list(zip(event.days, p.attendance_on(event.days), strict=True))) for p in participants
        ],
        "counts": event.participants.counts(),
        # Participants from a partner region are listed, but their member pages stay out of reach.
        "visible_member_ids": set(
            Member.objects.visible_to(user).filter(trainings__event=event).values_list("pk", flat=True)
        ),
        "session_form": session_form,
        "can_change": can_change,
        "can_invite": user.has_perm("trainings.add_participant"),
        "can_mark": user.has_perm(CHANGE_PARTICIPANT),
        "can_delete_session": user.has_perm("trainings.delete_session"),
        "sponsors": event.sponsors.order_by("name"),
        "contributions": event.contributions.select_related("partner"),
        "can_view_contributions": user.has_perm("members.view_contribution"),
        "contribution_form": contribution_form or _contribution_form(user, event),
    }


@login_required
def event_detail(request, pk):
    event = _get_event(request.user, pk)
    return render(request, "trainings/event_detail.html", _detail_context(request, event))


def _contribution_form(user, event: Event, data=None) -> ContributionForm | None:
    """Partners' contributions to the event (members.partners): recorded by staff who may change it."""
    if not (user.has_perm("trainings.change_event") and user.has_perm("members.add_contribution")):
        return None
    return ContributionForm(data, partner_choices=Partner.objects.visible_to(user).filter(is_active=True))


@require_POST
@login_required
def event_contribution(request, pk):
    event = _get_event(request.user, pk, perm="trainings.change_event")
    form = _contribution_form(request.user, event, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            services.add_event_contribution(event=event, by=request.user, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contribution recorded."))
            return redirect(reverse("trainings:detail", args=[event.pk]) + "#event-contributions")
    context = _detail_context(request, event, contribution_form=form)
    return render(request, "trainings/event_detail.html", context, status=400)


@login_required
def session_add(request, pk):
    event = _get_event(request.user, pk, perm="trainings.add_session")
    if request.method != "POST":
        return redirect("trainings:detail", pk=event.pk)
    form = SessionForm(request.POST, event=event, user=request.user)
    if form.is_valid():
        services.add_session(
            event=event,
            title=form.cleaned_data["title"],
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            speaker=form.cleaned_data["speaker"],
            new_speaker=form.new_speaker(),
            by=request.user,
        )
        messages.success(request, _("Session added."))
        return redirect("trainings:detail", pk=event.pk)
    context = _detail_context(request, event, session_form=form)
    return render(request, "trainings/event_detail.html", context, status=400)


@require_POST
@login_required
def session_delete(request, pk):
    require_perm(request.user, VIEW_EVENT)
    session = get_for_user(Session.objects.all(), request.user, pk=pk, perm="trainings.delete_session")
    session.delete()
    messages.success(request, _("Session removed."))
    return redirect("trainings:detail", pk=session.event_id)


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@login_required
def invite(request, pk):
    event = _get_event(request.user, pk, perm="trainings.add_participant")
    candidates = event.invite_candidates()
    if request.method == "POST":
        ids = [pk for pk in map(parse_id, request.POST.getlist("member")) if pk]
        count = services.invite_members(event=event, members=candidates.filter(pk__in=ids), by=request.user)
        if count:
            messages.success(request, _("%(count)d PSM invited.") % {"count": count})
        else:
            messages.warning(request, _("No one was invited: tick the PSM to invite."))
        return redirect(_safe_next(request) or request.get_full_path())
    invite_filter = InviteFilter(request.GET, queryset=candidates, organiser_codes=event.organiser_codes)
    members = invite_filter.qs.select_related("unit__region", "kelurahan").order_by("full_name", "pk")
    page = Paginator(members, INVITE_PAGE_SIZE).get_page(request.GET.get(PAGE))
    return render(
        request, "trainings/event_invite.html", {"event": event, "filter": invite_filter, "page": page}
    )


def _attendance_url(event: Event, day: datetime.date) -> str:
    return f"{reverse('trainings:attendance', args=[event.pk])}?{urlencode({DAY: day.isoformat()})}"


def _long_date(day: datetime.date) -> str:
    return formats.date_format(day, "l, j F Y")


@login_required
def attendance(request, pk):
    """The attendance of one day (?hari=YYYY-MM-DD; today while the event runs, else its first day), a row
    per participant: "Semua hadir" (attendance_all_present) first, then the exceptions, saved here."""
    event = _get_event(request.user, pk, perm=CHANGE_PARTICIPANT)
    day = event_day(event, (request.POST if request.method == "POST" else request.GET).get(DAY))
    if request.method == "POST" and day is None:
        messages.error(request, _("Choose a day of the event."))
        return redirect("trainings:attendance", pk=event.pk)
    day = day or default_day(event)
    participants = list(_participants(event))
    form = AttendanceDayForm(request.POST or None, event=event, day=day, participants=participants)
    if form.is_valid():
        services.record_attendance(event=event, marks=form.marks())
        messages.success(request, _("Attendance of %(day)s saved.") % {"day": _long_date(day)})
        return redirect(_attendance_url(event, day))
    context = {"event": event, "form": form, "day": day, "tabs": attendance_tabs(event, participants)}
    return render(request, "trainings/event_attendance.html", context)


@require_POST
@login_required
def attendance_all_present(request, pk):
    """Semua hadir for one day: everyone not yet marked is marked present (services.mark_all_present)."""
    event = _get_event(request.user, pk, perm=CHANGE_PARTICIPANT)
    day = event_day(event, request.POST.get(DAY))
    if day is None:
        messages.error(request, _("Choose a day of the event."))
        return redirect("trainings:attendance", pk=event.pk)
    _say_all_present(request, services.mark_all_present(event=event, day=day), day)
    return redirect(_attendance_url(event, day))


def _say_all_present(request, done: services.AllPresent, day: datetime.date) -> None:
    values = {"count": done.marked, "kept": done.kept, "day": _long_date(day)}
    if done.marked:
        text = ngettext(
            "%(count)d participant marked present on %(day)s.",
            "%(count)d participants marked present on %(day)s.",
            done.marked,
        )
        messages.success(request, text % values)
    else:
        messages.info(request, _("No one was left to mark on %(day)s.") % values)
    if done.kept:
        text = ngettext(
            "%(kept)d participant already marked excused or absent keeps that mark.",
            "%(kept)d participants already marked excused or absent keep that mark.",
            done.kept,
        )
        messages.info(request, text % values)


@login_required
def scores(request, pk):
    event = _get_event(request.user, pk, perm=CHANGE_PARTICIPANT)
    participants = list(_participants(event))
    form = ScoresForm(request.POST or None, participants=participants)
    if form.is_valid():
        services.record_scores(event=event, scores=form.scores())
        messages.success(request, _("Scores saved."))
        return redirect("trainings:detail", pk=event.pk)
    context = {"event": event, "form": form, "tabs": attendance_tabs(event, participants)}
    return render(request, "trainings/event_scores.html", context)


# Names in the message after issuing certificates; the confirm page lists every one.
NAMES_IN_MESSAGE = 10


def _issued_message(plan: services.CertificatePlan) -> str:
    """The result, naming who was left out and why: 3 certificate numbers issued; 2 participants did not
    get one: Budi (...), Sari (...)."""
    issued = ngettext(
        "%(count)d certificate number issued", "%(count)d certificate numbers issued", len(plan.due)
    ) % {"count": len(plan.due)}
    if not plan.left_out:
        return f"{issued}."
    names = ", ".join(f"{p.member.full_name} ({why})" for p, why in plan.left_out[:NAMES_IN_MESSAGE])
    if (more := len(plan.left_out) - NAMES_IN_MESSAGE) > 0:
        names += " " + ngettext("and %(count)d other", "and %(count)d others", more) % {"count": more}
    left_out = ngettext(
        "%(count)d participant did not get one: %(names)s",
        "%(count)d participants did not get one: %(names)s",
        len(plan.left_out),
    ) % {"count": len(plan.left_out), "names": names}
    return f"{issued}; {left_out}."


@login_required
def issue_certificates(request, pk):
    """GET: the confirm step (who will get a number, who will not and why); POST: number them."""
    event = _get_event(request.user, pk, perm=CHANGE_PARTICIPANT)
    if request.method != "POST":
        plan = services.certificate_plan(event)
        return render(request, "trainings/event_certificates.html", {"event": event, "plan": plan})
    plan = services.issue_certificates(event=event)
    (messages.success if plan.due else messages.warning)(request, _issued_message(plan))
    return redirect("trainings:detail", pk=event.pk)
