"""Notices and their e-mails in the admin: read-only, filtered by status, a failed one sent again."""

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ipsm.models import Delivery, DeliveryStatus
from ipsm.notices.services import notify


def _failed_delivery(user) -> Delivery:
    user.email = "koordinator@example.com"
    user.save(update_fields=["email"])
    notice = notify(user=user, kind="roster_stale", key="a", title="Periksa daftar anggota")
    delivery = notice.deliveries.get()
    delivery.status, delivery.attempts, delivery.last_error = (
        DeliveryStatus.FAILED,
        6,
        "SMTPServerDisconnected",
    )
    delivery.save()
    return delivery


def test_notices_and_deliveries_are_listed_read_only(as_user, superuser, coordinator):
    delivery = _failed_delivery(coordinator)
    client = as_user(superuser)
    for model, obj in (("notice", delivery.notice), ("delivery", delivery)):
        assert client.get(reverse(f"admin:ipsm_{model}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:ipsm_{model}_change", args=[obj.pk])).content.decode()
        assert 'name="_save"' not in page  # nothing to save: read-only
        assert client.get(reverse(f"admin:ipsm_{model}_add")).status_code == 403
    failed = client.get(
        reverse("admin:ipsm_delivery_changelist"), {"status__exact": "failed"}
    ).content.decode()
    assert "koordinator@example.com" in failed
    sent = client.get(reverse("admin:ipsm_delivery_changelist"), {"status__exact": "sent"}).content.decode()
    assert "koordinator@example.com" not in sent


def test_send_again_sends_a_failed_e_mail(as_user, superuser, coordinator):
    delivery = _failed_delivery(coordinator)
    response = as_user(superuser).post(
        reverse("admin:ipsm_delivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "Terkirim: 1; gagal lagi: 0." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at <= timezone.now()
    assert [message.to for message in mail.outbox] == [["koordinator@example.com"]]
