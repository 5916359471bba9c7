"""A case's handling through HTTP: status moves, the responsible PSM, activities and referrals."""

import datetime
import re

import pytest
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.urls import reverse

from cases.models import CASE_TRANSITIONS, CaseActivity, CaseStatus, Referral, ReferralOutcome
from members.models import MemberStatus
from tests import factories


@pytest.fixture
def case(magelang):
    return factories.CaseFactory(kelurahan=magelang["cacaban"], reported_on=datetime.date(2024, 3, 1))


def _levels(response):
    return [message.level for message in get_messages(response.wsgi_request)]


def _errors(response, form_name):
    return {
        field: [error.code for error in errors]
        for field, errors in response.context[form_name].errors.as_data().items()
    }


def _move(client, case, new_status, day, **extra):
    data = {"new_status": new_status, "changed_on": day.isoformat(), **extra}
    return client.post(reverse("cases:status", args=[case.pk]), data)


# --- Status workflow --------------------------------------------------------------------------------------


def test_case_goes_through_the_whole_workflow_with_dated_steps(as_user, staff, case):
    client = as_user(staff)
    steps = ["asesmen", "intervensi", "rujukan", "selesai"]
    for offset, status in enumerate(steps, start=1):
        response = _move(
            client, case, status, datetime.date(2024, 3, offset * 2), status_note=f"langkah {offset}"
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", args=[case.pk])
        assert _levels(response)[-1] == SUCCESS
    case.refresh_from_db()
    assert (case.status, case.status_since) == ("selesai", datetime.date(2024, 3, 8))
    changes = list(case.status_changes.order_by("changed_on"))
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("baru", "asesmen"),
        ("asesmen", "intervensi"),
        ("intervensi", "rujukan"),
        ("rujukan", "selesai"),
    ]
    assert {c.changed_by for c in changes} == {staff}
    assert changes[0].note == "langkah 1"


@pytest.mark.parametrize("status", list(CaseStatus))
def test_only_legal_moves_are_offered(as_user, staff, magelang, status):
    extra = {"close_reason": "pindah"} if status == CaseStatus.DITUTUP else {}
    case = factories.CaseFactory(kelurahan=magelang["cacaban"], status=status, **extra)
    response = as_user(staff).get(reverse("cases:detail", args=[case.pk]))
    offered = [value for value, _label in response.context["status_form"].fields["new_status"].choices]
    assert offered == list(CASE_TRANSITIONS[status])
    form_html = re.search(r'<form[^>]*id="status-form".*?</form>', response.content.decode(), re.S).group()
    assert re.findall(r'<option value="([a-z]+)"', form_html.split('name="close_reason"')[0]) == offered


@pytest.mark.parametrize(
    ("status", "illegal"),
    [
        ("baru", "selesai"),
        ("baru", "intervensi"),
        ("selesai", "ditutup"),
        ("ditutup", "selesai"),
        ("baru", "x"),
    ],
)
def test_illegal_move_is_refused_with_a_message_and_changes_nothing(
    as_user, staff, magelang, status, illegal
):
    extra = {"close_reason": "pindah"} if status == CaseStatus.DITUTUP else {}
    case = factories.CaseFactory(kelurahan=magelang["cacaban"], status=status, **extra)
    response = _move(as_user(staff), case, illegal, datetime.date(2026, 10, 2))
    assert response.status_code == 200
    assert _levels(response) == [ERROR]
    assert "invalid_choice" in _errors(response, "status_form")["new_status"]
    case.refresh_from_db()
    assert case.status == status
    assert not case.status_changes.exists()


def test_closing_needs_a_reason(as_user, staff, case):
    client = as_user(staff)
    response = _move(client, case, "ditutup", datetime.date(2024, 3, 5))
    assert response.status_code == 200
    assert _errors(response, "status_form") == {"close_reason": ["reason_required"]}
    case.refresh_from_db()
    assert case.status == "baru"
    response = _move(client, case, "ditutup", datetime.date(2024, 3, 5), close_reason="menolak")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("ditutup", "menolak")
    assert case.status_changes.get().close_reason == "menolak"


def test_reason_is_dropped_when_not_closing(as_user, staff, case):
    _move(as_user(staff), case, "asesmen", datetime.date(2024, 3, 5), close_reason="menolak")
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("asesmen", "")


@pytest.mark.parametrize(("status", "reason"), [("selesai", ""), ("ditutup", "pindah")])
def test_completed_or_closed_case_can_be_reopened(as_user, staff, magelang, status, reason):
    case = factories.CaseFactory(
        kelurahan=magelang["cacaban"],
        status=status,
        close_reason=reason,
        reported_on=datetime.date(2024, 3, 1),
    )
    response = _move(as_user(staff), case, "asesmen", datetime.date(2024, 4, 1))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason, case.status_since) == ("asesmen", "", datetime.date(2024, 4, 1))
    assert case.is_open


def test_status_date_before_current_status_is_refused(as_user, staff, case):
    response = _move(as_user(staff), case, "asesmen", datetime.date(2024, 2, 1))
    assert response.status_code == 200
    assert _errors(response, "status_form") == {"changed_on": ["date_before_status"]}
    case.refresh_from_db()
    assert case.status == "baru"


def test_status_date_in_future_is_refused(as_user, staff, case, today):
    response = _move(as_user(staff), case, "asesmen", today + datetime.timedelta(days=1))
    assert _errors(response, "status_form") == {"changed_on": ["future"]}


# --- Responsible PSM --------------------------------------------------------------------------------------


def _assign(client, case, member, day=datetime.date(2024, 3, 2)):
    data = {"member": member.pk if member else "", "assigned_on": day.isoformat()}
    return client.post(reverse("cases:assign", args=[case.pk]), data)


def test_assign_then_reassign_keeps_the_history(as_user, staff, case, member_a, member_b):
    client = as_user(staff)
    assert _assign(client, case, member_b).status_code == 302
    assert _assign(client, case, member_a, datetime.date(2024, 3, 9)).status_code == 302
    case.refresh_from_db()
    assert case.psm == member_a
    history = list(case.psm_assignments.all())
    assert [(a.member, a.assigned_on, a.assigned_by) for a in history] == [
        (member_a, datetime.date(2024, 3, 9), staff),
        (member_b, datetime.date(2024, 3, 2), staff),
    ]
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    section = page.split('id="psm-history"')[1].split("</ul>")[0]
    assert member_a.full_name in section
    assert member_b.full_name in section


def test_psm_can_be_taken_off(as_user, staff, case, member_b):
    case.psm = member_b
    case.save()
    assert _assign(as_user(staff), case, None).status_code == 302
    case.refresh_from_db()
    assert case.psm is None
    assert case.psm_assignments.get().member is None


def test_choosing_no_psm_for_a_case_without_one_is_refused(as_user, staff, case):
    response = _assign(as_user(staff), case, None)
    assert response.status_code == 200
    assert _errors(response, "assign_form") == {"member": ["required"]}
    assert not case.psm_assignments.exists()


@pytest.mark.parametrize("status", [MemberStatus.CALON, MemberStatus.NONAKTIF])
def test_member_who_is_not_active_is_refused(as_user, staff, case, unit_b, status):
    reason = "lainnya" if status == MemberStatus.NONAKTIF else ""
    member = factories.MemberFactory(unit=unit_b, status=status, status_reason=reason)
    response = as_user(staff).get(reverse("cases:detail", args=[case.pk]))
    assert member not in response.context["assign_form"].fields["member"].queryset
    response = _assign(as_user(staff), case, member)
    assert response.status_code == 200
    assert _levels(response) == [ERROR]
    assert "invalid_choice" in _errors(response, "assign_form")["member"]
    case.refresh_from_db()
    assert case.psm is None
    assert not case.psm_assignments.exists()


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_member_of_temanggung_is_refused_for_a_magelang_case(request, as_user, case, unit_temanggung, role):
    other = factories.MemberFactory(unit=unit_temanggung)
    response = _assign(as_user(request.getfixturevalue(role)), case, other)
    assert response.status_code == 200
    assert "invalid_choice" in _errors(response, "assign_form")["member"]
    case.refresh_from_db()
    assert case.psm is None


def test_psm_of_closed_case_cannot_change(as_user, staff, magelang, member_b):
    case = factories.CaseFactory(kelurahan=magelang["cacaban"], status="selesai")
    client = as_user(staff)
    assert client.get(reverse("cases:detail", args=[case.pk])).context["assign_form"] is None
    response = _assign(client, case, member_b, case.reported_on)
    assert response.status_code == 200
    assert "case_not_open" in _errors(response, "assign_form")["__all__"]
    case.refresh_from_db()
    assert case.psm is None


def test_detail_page_has_its_sections_and_the_assign_form(as_user, staff, case):
    response = as_user(staff).get(reverse("cases:detail", args=[case.pk]))
    for section in ("case-status", "case-psm", "psm-history", "activities", "referrals", "status-history"):
        assert f'id="{section}"' in response.content.decode()
    assert 'id="assign-form"' in response.content.decode()
    assert 'id="id_member"' in response.content.decode()


# --- Activities and referrals -----------------------------------------------------------------------------


def test_activity_is_logged_with_who_and_when(as_user, staff, case):
    client = as_user(staff)
    data = {"done_on": "2024-03-04", "description": "Kunjungan rumah, asesmen awal."}
    response = client.post(reverse("cases:activity", args=[case.pk]), data)
    assert response.status_code == 302
    activity = case.activities.get()
    assert (activity.done_on, activity.recorded_by) == (datetime.date(2024, 3, 4), staff)
    assert "Kunjungan rumah" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"done_on": "2024-03-04", "description": ""}, "description", "required"),
        ({"done_on": "2999-01-01", "description": "x"}, "done_on", "future"),
        ({"done_on": "2024-02-01", "description": "x"}, "done_on", "before_report"),
    ],
)
def test_bad_activity_is_refused(as_user, staff, case, data, field, code):
    response = as_user(staff).post(reverse("cases:activity", args=[case.pk]), data)
    assert response.status_code == 200
    assert code in _errors(response, "activity_form")[field]
    assert not case.activities.exists()


def test_referral_and_its_outcome(as_user, staff, case):
    client = as_user(staff)
    data = {
        "institution_type": "puskesmas",
        "institution_name": "Puskesmas Magelang Tengah",
        "referred_on": "2024-03-05",
    }
    assert client.post(reverse("cases:referral", args=[case.pk]), data).status_code == 302
    referral = case.referrals.get()
    assert (referral.outcome, referral.referred_by) == (ReferralOutcome.MENUNGGU, staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:referral_outcome", args=[referral.pk]) in page
    prefix = f"referral-{referral.pk}"
    data = {
        f"{prefix}-outcome": "dilayani",
        f"{prefix}-outcome_on": "2024-03-07",
        f"{prefix}-note": "Rawat jalan",
    }
    response = client.post(reverse("cases:referral_outcome", args=[referral.pk]), data)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on, referral.outcome_note) == (
        "dilayani",
        datetime.date(2024, 3, 7),
        "Rawat jalan",
    )
    assert CaseActivity.objects.get(case=case).recorded_by == staff
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:referral_outcome", args=[referral.pk]) not in page


def test_outcome_before_referral_is_refused(as_user, staff, case):
    referral = Referral.objects.create(
        case=case, institution_type="lks", institution_name="LKS", referred_on=datetime.date(2024, 3, 5)
    )
    prefix = f"referral-{referral.pk}"
    data = {f"{prefix}-outcome": "diterima", f"{prefix}-outcome_on": "2024-03-04"}
    response = as_user(staff).post(reverse("cases:referral_outcome", args=[referral.pk]), data)
    assert response.status_code == 200
    form = next(r.outcome_form for r in response.context["referrals"] if r.pk == referral.pk)
    assert [error.code for error in form.errors.as_data()["outcome_on"]] == ["outcome_before_referral"]
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.MENUNGGU


def test_outcome_is_recorded_once(as_user, staff, case):
    referral = Referral.objects.create(
        case=case,
        institution_type="lks",
        institution_name="LKS",
        referred_on=datetime.date(2024, 3, 5),
        outcome=ReferralOutcome.DITOLAK,
        outcome_on=datetime.date(2024, 3, 6),
    )
    prefix = f"referral-{referral.pk}"
    data = {f"{prefix}-outcome": "diterima", f"{prefix}-outcome_on": "2024-03-07"}
    response = as_user(staff).post(reverse("cases:referral_outcome", args=[referral.pk]), data)
    assert response.status_code == 302
    assert _levels(response) == [ERROR]
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.DITOLAK


def test_waiting_is_not_an_outcome(as_user, staff, case):
    referral = Referral.objects.create(
        case=case, institution_type="lks", institution_name="LKS", referred_on=datetime.date(2024, 3, 5)
    )
    prefix = f"referral-{referral.pk}"
    data = {f"{prefix}-outcome": "menunggu", f"{prefix}-outcome_on": "2024-03-07"}
    response = as_user(staff).post(reverse("cases:referral_outcome", args=[referral.pk]), data)
    assert response.status_code == 200
    assert not case.activities.exists()


def test_referral_needs_an_institution(as_user, staff, case):
    data = {"institution_type": "", "institution_name": "", "referred_on": "2024-03-05"}
    response = as_user(staff).post(reverse("cases:referral", args=[case.pk]), data)
    assert response.status_code == 200
    assert set(_errors(response, "referral_form")) == {"institution_type", "institution_name"}
    assert not case.referrals.exists()
