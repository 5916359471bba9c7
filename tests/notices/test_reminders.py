"""The daily reminders (manage.py send_reminders): who gets which notice, once, and the e-mails' log."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ipsm.models import Delivery, DeliveryStatus, Notice, NoticeKind
from ipsm.notices import services
from tests import factories

REFUSING = "tests.notices.backends.RefusingBackend"


def _run() -> str:
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def checked_units(unit_a, unit_b):
    """Both units' rosters checked today: no roster reminder unless a test makes one stale."""
    now = timezone.now()
    for unit in (unit_a, unit_b):
        unit.roster_confirmed_at = now
        unit.save(update_fields=["roster_confirmed_at"])
    return unit_a, unit_b


def test_a_stale_roster_reminds_its_coordinators_once(checked_units, coordinator, coordinator_b, staff):
    unit_a, _unit_b = checked_units
    unit_a.roster_confirmed_at = timezone.now() - datetime.timedelta(days=181)
    unit_a.save(update_fields=["roster_confirmed_at"])

    output = _run()

    notice = Notice.objects.exclude(kind=NoticeKind.REGISTRY_DIGEST).get()
    assert (notice.user, notice.kind) == (coordinator, NoticeKind.ROSTER_STALE)
    assert list(Notice.objects.filter(user=staff).values_list("kind", flat=True)) == ["registry_digest"]
    assert "terakhir diperiksa" in notice.title
    assert notice.link == reverse("members:unit_detail", args=[unit_a.pk])
    assert "2 pemberitahuan baru" in output
    # The next day's run does not repeat it while the roster stays unchecked.
    _run()
    assert Notice.objects.count() == 2


def test_a_roster_checked_then_stale_again_reminds_again(checked_units, coordinator):
    unit_a, _unit_b = checked_units
    unit_a.roster_confirmed_at = timezone.now() - datetime.timedelta(days=200)
    unit_a.save(update_fields=["roster_confirmed_at"])
    _run()
    unit_a.roster_confirmed_at = timezone.now() - datetime.timedelta(days=181)
    unit_a.save(update_fields=["roster_confirmed_at"])
    _run()
    assert Notice.objects.filter(user=coordinator, kind=NoticeKind.ROSTER_STALE).count() == 2


def test_a_roster_checked_within_180_days_gives_no_notice(checked_units, coordinator):
    unit_a, _unit_b = checked_units
    unit_a.roster_confirmed_at = timezone.now() - datetime.timedelta(days=179)
    unit_a.save(update_fields=["roster_confirmed_at"])
    _run()
    assert not Notice.objects.exists()


def test_a_board_term_ending_within_90_days_and_then_lapsed(checked_units, coordinator, coordinator_b, today):
    unit_a, _unit_b = checked_units
    member = factories.MemberFactory(unit=unit_a, full_name="Siti Pengurus")
    position = factories.BoardPositionFactory(
        member=member,
        term_starts_on=today - datetime.timedelta(days=1000),
        term_ends_on=today + datetime.timedelta(days=30),
    )
    factories.BoardPositionFactory(  # far from its end: nothing to say
        member=factories.MemberFactory(unit=unit_a),
        role="sekretaris",
        term_ends_on=today + datetime.timedelta(days=400),
    )

    services.remind(today)
    services.remind(today + datetime.timedelta(days=1))

    notice = Notice.objects.get()
    assert (notice.user, notice.kind) == (coordinator, NoticeKind.BOARD_TERM)
    assert "Siti Pengurus" in notice.title and "berakhir" in notice.title
    # Once the term has lapsed: one more notice, which says so.
    services.remind(position.term_ends_on + datetime.timedelta(days=1))
    lapsed = Notice.objects.exclude(pk=notice.pk).get()
    assert lapsed.user == coordinator and "telah berakhir" in lapsed.title


def test_an_ended_seat_gives_no_notice(checked_units, coordinator, today):
    unit_a, _unit_b = checked_units
    factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_a),
        term_ends_on=today + datetime.timedelta(days=10),
        ended_on=today,
    )
    services.remind(today)
    assert not Notice.objects.exists()


def test_a_user_without_e_mail_gets_the_notice_in_the_app_only(unit_a, coordinator):
    assert coordinator.email == ""
    _run()
    assert Notice.objects.filter(user=coordinator).exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_the_e_mail_is_sent_and_logged(unit_a, coordinator):
    coordinator.email = "koordinator@example.com"
    coordinator.save(update_fields=["email"])

    output = _run()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["koordinator@example.com"]
    assert "belum pernah diperiksa" in message.subject
    assert reverse("members:unit_detail", args=[unit_a.pk]) in message.body
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 1, "")
    assert delivery.sent_at is not None and delivery.address == "koordinator@example.com"
    assert "1 terkirim" in output
    # Sent once: the next run sends nothing more.
    _run()
    assert len(mail.outbox) == 1


def test_a_refused_e_mail_is_logged_and_tried_again_until_it_is_sent(unit_a, coordinator, settings):
    coordinator.email = "koordinator@example.com"
    coordinator.save(update_fields=["email"])
    settings.EMAIL_BACKEND = REFUSING
    now = timezone.now()

    counts = services.run_reminders(now)

    assert counts == {"created": 1, "sent": 0, "failed": 1}
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "SMTPRecipientsRefused" in delivery.last_error and "Mailbox unavailable" in delivery.last_error
    assert delivery.next_attempt_at > now
    # Not before its time; then the next daily run tries again, fails again, and later succeeds.
    assert services.send_pending(now) == {"sent": 0, "failed": 0}
    tomorrow = now + datetime.timedelta(days=1)
    assert services.run_reminders(tomorrow) == {"created": 0, "sent": 0, "failed": 1}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.run_reminders(tomorrow + datetime.timedelta(days=1)) == {
        "created": 0,
        "sent": 1,
        "failed": 0,
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_delivery_stays_failed_and_can_be_sent_again(
    unit_a, coordinator, settings
):
    coordinator.email = "koordinator@example.com"
    coordinator.save(update_fields=["email"])
    settings.EMAIL_BACKEND = REFUSING
    now = timezone.now()
    services.run_reminders(now)
    for day in range(1, services.MAX_ATTEMPTS + 2):
        services.send_pending(now + datetime.timedelta(days=day))

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, services.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None and "Mailbox unavailable" in delivery.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.resend(Delivery.objects.all()) == {"sent": 1, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(mail.outbox) == 1


def test_the_task_runs_the_same_reminders(unit_a, coordinator):
    from ipsm.notices.tasks import send_reminders

    send_reminders.enqueue()
    assert Notice.objects.filter(user=coordinator).exists()


def test_the_notice_speaks_the_users_language(unit_a, coordinator):
    from ipsm.models import LanguagePreference

    LanguagePreference.objects.create(user=coordinator, language="en")
    _run()
    assert Notice.objects.get().title == f"The roster of {unit_a} has never been checked"


def test_staff_get_a_monthly_digest_of_their_kab_kota(checked_units, staff, staff_other, viewer, today):
    unit_a, unit_b = checked_units
    unit_a.roster_confirmed_at = None
    unit_a.save(update_fields=["roster_confirmed_at"])
    factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_b), term_ends_on=today - datetime.timedelta(days=1)
    )

    services.remind(today)
    services.remind(today)  # the same day's run again: nothing more

    notice = Notice.objects.get(kind=NoticeKind.REGISTRY_DIGEST)
    assert notice.user == staff  # not Temanggung's staff (nothing there), not the read-only head
    assert notice.title == "Registri Kota Magelang: yang perlu ditindaklanjuti"
    assert "1 unit belum memeriksa daftar anggotanya lebih dari 180 hari." in notice.body
    assert "1 masa bakti pengurus" in notice.body
    assert notice.link == reverse("members:region", args=["33.71"])
    # The next month, one more if it still stands.
    services.remind(today.replace(day=1) + datetime.timedelta(days=32))
    assert Notice.objects.filter(kind=NoticeKind.REGISTRY_DIGEST, user=staff).count() == 2
