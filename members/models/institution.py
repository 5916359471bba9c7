"""The IPSM as an institution: its meetings (with attendance, minutes, decisions, follow-ups and attachments)
and the SK of its board. Units, members and the board themselves are in members.models.

A meeting belongs to a unit (held by the IPSM of a desa/kelurahan) or to the IPSM forum of a kecamatan or a
kab/kota (no unit; `region` is that kecamatan or kab/kota). `region` is always set (a unit's meeting: the
unit's desa/kelurahan), so that scope is one prefix test: coordinators see their unit's meetings, staff
every meeting of their kab/kota (members.models.MeetingQuerySet.visible_to).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ipsm.lib.images import PrivateStorage
from members.access import scope_of
from members.models import Member, Region, Unit


class MeetingKind(models.TextChoices):
    RUTIN = "rutin", _("Regular meeting (pertemuan rutin)")
    PENGURUS = "pengurus", _("Board meeting (rapat pengurus)")
    MUSYAWARAH = "musyawarah", _("Members' assembly (musyawarah anggota)")
    KOORDINASI = "koordinasi", _("Coordination meeting (rapat koordinasi)")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Staff and viewers: every meeting of their kab/kota (units' and forums'); coordinators: their
        unit's."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(region__code__startswith=scope.region_code)
        if scope.unit_id:
            return self.filter(unit_id=scope.unit_id)
        return self.none()

    def within(self, code: str) -> "MeetingQuerySet":
        return self.filter(region__code__startswith=code) if code else self.all()


class Meeting(models.Model):
    """A meeting of a unit or of the IPSM forum of a kecamatan or kab/kota."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("IPSM unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit's desa/kelurahan, or the kecamatan or kab/kota of a forum's meeting."),
    )
    kind = models.CharField(_("kind of meeting"), max_length=12, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes (notulen)"), blank=True)
    guests = models.CharField(
        _("other participants"),
        max_length=255,
        blank=True,
        help_text=_("For example TKSK, the kelurahan, the Dinas Sosial, partners."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["region", "held_on"], name="meeting_region_held_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


class MeetingAttendance(models.Model):
    """A member expected at the meeting, present or not (the roster of the unit or forum when recorded)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        ordering = ["meeting", "member__full_name"]
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"


class MeetingDecision(models.Model):
    """A decision taken at the meeting (keputusan)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]


class FollowUp(models.Model):
    """A follow-up (tindak lanjut) agreed at the meeting: who, by when, done or not."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    decision = models.ForeignKey(
        MeetingDecision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    task = models.CharField(_("follow-up"), max_length=255)
    responsible = models.ForeignKey(
        Member,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.task

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class MeetingAttachment(models.Model):
    """A PDF or picture of the meeting (signed attendance list, minutes, photo): checked and cleaned by
    ipsm.lib.documents, in private storage, served only to whoever may see the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=PrivateStorage(), upload_to="meetings/", editable=False)
    title = models.CharField(_("title"), max_length=150)
    pages = models.PositiveIntegerField(default=1, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "uploaded_at", "pk"]
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")

    def __str__(self) -> str:
        return self.title


class BoardDecree(models.Model):
    """The SK of a unit's board (SK kepengurusan): who issued it, when, the file; the board positions it
    appointed point to it (BoardPosition.decree). A board may be elected at a musyawarah (`meeting`)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("IPSM unit"), on_delete=models.CASCADE, related_name="decrees"
    )
    number = models.CharField(_("SK number"), max_length=100)
    issued_on = models.DateField(_("SK date"))
    issuer = models.CharField(_("issued by"), max_length=150)
    file = models.FileField(
        _("file"), storage=PrivateStorage(), upload_to="decrees/", blank=True, editable=False
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("elected at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decrees",
        limit_choices_to=Q(kind=MeetingKind.MUSYAWARAH),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "-issued_on", "-pk"]
        verbose_name = _("board SK")
        verbose_name_plural = _("board SKs")

    def __str__(self) -> str:
        return self.number
