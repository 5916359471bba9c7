"""A participant's certificate (print CSS, A4 landscape) and the logo of the office that signs it.

Whoever may open the event's participants may print their certificates: trainings.view_event (coordinators
get 403), then the participant among those of events the user's office organises (404 otherwise), with a
certificate number issued. The signing office (trainings.certificates.signing_region) may be another
organiser of a joint event: its logo is served here, to whoever may print the certificate."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ipsm.lib.images import private_file_response
from members.access import get_for_user, require_perm
from members.models import OfficeProfile, Region
from trainings import certificates
from trainings.models import Organiser, Participant

VIEW_EVENT = "trainings.view_event"


def certified_participants():
    """Participants with a certificate number, with what their certificate prints (a few queries)."""
    organisers = (
        Organiser.objects.accepted().select_related("region").order_by("region_id", "institution_name")
    )
    return (
        Participant.objects.filter(certificate_number__isnull=False)
        .select_related("member__unit__region", "event")
        .prefetch_related(Prefetch("event__organisers", queryset=organisers))
    )


def _get_certificate(user, pk) -> Participant:
    require_perm(user, VIEW_EVENT)
    return get_for_user(certified_participants(), user, pk=pk)


def _signing_office(participant: Participant):
    region = certificates.signing_region(participant.event, participant.member)
    profile = OfficeProfile.objects.filter(region=region).first() if region else None
    return region, profile


@require_GET
@login_required
def certificate(request, pk):
    participant = _get_certificate(request.user, pk)
    urls = {
        "back": reverse("trainings:detail", args=[participant.event_id]),
        "logo": reverse("trainings:certificate_logo", args=[participant.pk]),
    }
    return certificate_response(request, participant, urls=urls)


def certificate_response(request, participant: Participant, *, urls: dict):
    """The certificate of `participant` (whom the caller made sure the user may see); `urls`: where its
    back link and the signing office's logo point (the event's pages, or a PSM's own, ipsm/psm)."""
    region, profile = _signing_office(participant)
    context = {
        "participant": participant,
        "organisers": participant.event.organisers.all(),
        "office_region": region,
        "office": profile,
        "issued_on": certificates.issued_on(participant.event),
        # Staff of the signing office are shown where to fill in what the certificate lacks.
        "may_edit_office": bool(
            region
            and request.user.has_perm("members.add_officeprofile")
            and Region.objects.visible_to(request.user).filter(pk=region.pk).exists()
        ),
        "urls": urls,
    }
    return render(request, "trainings/certificate.html", context)


@require_GET
@login_required
def certificate_logo(request, pk):
    return certificate_logo_response(_get_certificate(request.user, pk))


def certificate_logo_response(participant: Participant):
    _region, profile = _signing_office(participant)
    if profile is None or not profile.logo:
        raise Http404
    return private_file_response(profile.logo)
