"""What merging two member records means for trainings (registered in TrainingsConfig.ready through
members.panels.register_merge_handler; run inside members.services.merge_members' transaction).

Participation moves to the survivor. Where both records were invited to the same event, the survivor's
participant is kept (one per event and member is a database rule) and the other is folded into it: for
each day the more telling mark wins (present over excused over absent over merely invited: the person
was there if either list says so), empty scores are filled from the other, and a certificate number comes
over only when the survivor has none. If both held a certificate the survivor's stays and the other
number is no longer used. Speakers linked to the merged record link to the survivor.
"""

from members.models import Member
from trainings.models import Attendance, AttendanceStatus, Participant, Speaker

# Higher wins when the two records disagree about one day.
ATTENDANCE_WEIGHT = {
    AttendanceStatus.DIUNDANG: 0,
    AttendanceStatus.TIDAK_HADIR: 1,
    AttendanceStatus.IZIN: 2,
    AttendanceStatus.HADIR: 3,
}

RELATIONS = ["trainings.Participant.member", "trainings.Speaker.member"]


def move_training_records(*, survivor: Member, merged: Member, by) -> None:
    Speaker.objects.filter(member=merged).update(member=survivor)
    kept = {
        participant.event_id: participant
        for participant in Participant.objects.select_for_update()
        .filter(member=survivor)
        .prefetch_related("attendance")
    }
    others = Participant.objects.select_for_update().filter(member=merged).prefetch_related("attendance")
    for participant in others:
        keeper = kept.get(participant.event_id)
        if keeper is None:
            participant.member = survivor
            participant.save(update_fields=["member"])
        else:
            _fold_participant(keeper=keeper, other=participant)


def _fold_participant(*, keeper: Participant, other: Participant) -> None:
    """Bring the other participant's attendance, scores and certificate into the keeper, then delete it."""
    ours = {row.day: row for row in keeper.attendance.all()}
    for row in other.attendance.all():
        mine = ours.get(row.day)
        if mine is None:
            Attendance.objects.filter(pk=row.pk).update(participant=keeper)
        elif ATTENDANCE_WEIGHT[row.status] > ATTENDANCE_WEIGHT[mine.status]:
            mine.status = row.status
            mine.save(update_fields=["status"])
    changed = []
    for name in ("pre_test_score", "post_test_score"):
        if getattr(keeper, name) is None and getattr(other, name) is not None:
            setattr(keeper, name, getattr(other, name))
            changed.append(name)
    certificate = other.certificate_number
    other.delete()  # with its attendance rows not moved; frees its certificate number (unique) first
    if keeper.certificate_number is None and certificate:
        keeper.certificate_number = certificate
        changed.append("certificate_number")
    if changed:
        keeper.save(update_fields=changed)
