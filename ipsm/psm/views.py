"""A PSM's own pages (role PSM, members.accounts), phone first: their profile with their whole NIK, their
contact details to correct, their trainings, the cases they are responsible for with the activity log.

Every object is theirs: the member from their account (members.access.get_own_member, 403 for any other
user), cases among those they handle (404 for any other); ipsm.middleware.PsmPagesOnlyMiddleware refuses
them every other page. The activation page (the invitation's one-time link) is public."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cases import services as case_services
from cases.forms import ActivityForm
from cases.models import Case
from ipsm.lib.concurrency import save_unless_changed
from ipsm.lib.images import private_file_response
from ipsm.psm.forms import ActivationForm, OwnContactForm
from members import accounts
from members.access import get_own_member
from members.models import Member, MemberPhoto, OfficeProfile
from members.views.printing import CARD_MEMBERS, card_response
from trainings.models import Participant
from trainings.views.certificates import (
    certificate_logo_response,
    certificate_response,
    certified_participants,
)


def _own_member(request) -> Member:
    return get_own_member(request.user, Member.objects.select_related("unit__region", "kelurahan__parent"))


@login_required
def home(request):
    member = _own_member(request)
    context = {
        "member": member,
        "open_cases": Case.objects.handled_by(member).open().count(),
        "trainings": Participant.objects.filter(member=member)
        .select_related("event")
        .order_by("-event__starts_on"),
    }
    return render(request, "psm/home.html", context)


@login_required
def edit(request):
    member = _own_member(request)
    form = OwnContactForm(request.POST or None, instance=member)
    if form.is_valid() and save_unless_changed(form):
        messages.success(request, _("Changes saved."))
        return redirect("psm:home")
    return render(request, "psm/edit.html", {"form": form, "member": member})


@login_required
def card(request):
    """Their member card (KTA), as staff print it (members.views.printing); none while not active."""
    member = get_own_member(request.user, CARD_MEMBERS)
    urls = {
        "back": reverse("psm:home"),
        "card": reverse("psm:card"),
        "photo": reverse("psm:photo"),
        "logo": reverse("psm:card_logo"),
    }
    return card_response(request, member, urls=urls)


@login_required
def photo(request):
    member = _own_member(request)
    own = MemberPhoto.objects.filter(member=member).first()
    if own is None:
        raise Http404
    return private_file_response(own.image)


@login_required
def card_logo(request):
    """The logo of the office that issues their card: the Dinas Sosial of their unit's kab/kota."""
    member = _own_member(request)
    profile = OfficeProfile.objects.filter(pk=member.unit.region_id[:5]).first()
    if profile is None or not profile.logo:
        raise Http404
    return private_file_response(profile.logo)


def _own_certificate(request, pk) -> Participant:
    return get_object_or_404(certified_participants().filter(member=_own_member(request)), pk=pk)


@login_required
def certificate(request, pk):
    """One of their certificates, as the organising office prints it (trainings.views.certificates)."""
    participant = _own_certificate(request, pk)
    urls = {
        "back": reverse("psm:home"),
        "back_label": _("Back to my profile"),
        "logo": reverse("psm:certificate_logo", args=[participant.pk]),
    }
    return certificate_response(request, participant, urls=urls)


@login_required
def certificate_logo(request, pk):
    return certificate_logo_response(_own_certificate(request, pk))


@login_required
def case_list(request):
    member = _own_member(request)
    cases = Case.objects.handled_by(member).select_related("kelurahan", "category")
    return render(request, "psm/case_list.html", {"member": member, "cases": cases})


@login_required
def case_detail(request, pk):
    """Name, kelurahan, category and state of one of their cases, its activity log, and a new entry."""
    member = _own_member(request)
    case = get_object_or_404(Case.objects.handled_by(member).select_related("kelurahan", "category"), pk=pk)
    form = ActivityForm(request.POST or None, case=case)
    if form.is_valid():
        case_services.log_activity(case=case, by=request.user, **form.cleaned_data)
        messages.success(request, _("Activity recorded."))
        return redirect("psm:case", pk=case.pk)
    context = {"case": case, "activities": case.activities.select_related("recorded_by"), "form": form}
    return render(request, "psm/case_detail.html", context)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def activate(request, token):
    """Public: the invitation's link. The PSM chooses a username and password, and is logged in."""
    invitation, state = accounts.invitation_for_token(token)
    if state != accounts.InvitationState.OPEN:
        status = HTTPStatus.NOT_FOUND if invitation is None else HTTPStatus.GONE
        return _private(render(request, "psm/activate_refused.html", {"state": state}, status=status))
    member = invitation.member
    user = accounts.account_of(member) or get_user_model()(username=accounts.suggested_username(member))
    initial = {"username": user.username}
    form = ActivationForm(request.POST or None, user=user, initial=initial)
    if form.is_valid():
        account = accounts.activate_account(
            invitation=invitation,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["new_password1"],
        )
        login(request, account, backend="members.accounts.AccountBackend")
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect("psm:home")
    return _private(render(request, "psm/activate.html", {"form": form, "member": member}))


def _private(response):
    # The token is in the URL: no cache keeps the page, and no other site gets the URL as a referrer.
    # "same-origin", not "no-referrer": with no-referrer Chromium posts the form with `Origin: null`, which
    # Django's CSRF check refuses (the browser journey, tests/browser/test_psm_journey.py).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
