"""A unit's work programme (program kerja) for a year: the activities it plans (month, target group, funding)
and how each was realised. The rules are in members/programmes.py.

An activity is realised when something shows it happened: a meeting of the unit (here), a training event or
PSM monthly reports of that kind (linked from trainings and cases, which sit above this layer), or by hand
with a note. Whatever realised it, the activity itself keeps the date and the way (`realised_on`,
`realised_by`), so that "% realised" is one count here, at every level, without asking the layers above.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.access import scope_of
from members.models import Unit
from members.models.institution import Meeting
from members.models.partners import Partner


class ProgrammeActivityKind(models.TextChoices):
    """The kinds of a planned activity. The values shared with cases.models.ReportActivityKind are the same
    strings, so that PSM reports of the kind can realise it (cases/programmes.py)."""

    PERTEMUAN = "pertemuan", _("Meeting or assembly (pertemuan)")
    PELATIHAN = "pelatihan", _("Training (pelatihan)")
    PENDATAAN = "pendataan", _("PMKS data collection / mapping")
    KUNJUNGAN = "kunjungan", _("Home visits")
    PENDAMPINGAN = "pendampingan", _("Accompaniment")
    RUJUKAN = "rujukan", _("Referrals")
    SOSIALISASI = "sosialisasi", _("Outreach / counselling")
    BENCANA = "bencana", _("Disaster response")
    LAINNYA = "lainnya", _("Other")


class FundingSource(models.TextChoices):
    SWADAYA = "swadaya", _("Own funds (swadaya)")
    DANA_DESA = "dana_desa", _("Village funds (APBDes / dana desa)")
    APBD = "apbd", _("Regional budget (APBD)")
    APBN = "apbn", _("State budget (APBN)")
    MITRA = "mitra", _("Partner / CSR")
    LAINNYA = "lainnya", _("Other")


class RealisedBy(models.TextChoices):
    MEETING = "rapat", _("a meeting")
    EVENT = "pelatihan", _("a training event")
    REPORTS = "laporan", _("approved PSM monthly reports")
    HAND = "manual", _("a note written by hand")


class WorkProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkProgrammeQuerySet":
        """Staff and viewers: every programme of their kab/kota; coordinators: their unit's."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(unit__region__code__startswith=scope.region_code)
        if scope.unit_id:
            return self.filter(unit_id=scope.unit_id)
        return self.none()


class WorkProgramme(models.Model):
    """The programme of one unit for one year."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("IPSM unit"), on_delete=models.PROTECT, related_name="programmes"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    adopted_at = models.ForeignKey(
        Meeting,
        verbose_name=_("adopted at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
        help_text=_("The meeting or musyawarah that adopted the programme."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = WorkProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "-year"]
        verbose_name = _("work programme")
        verbose_name_plural = _("work programmes")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_programme_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


def overdue_q(through_month: int) -> Q:
    """Overdue: planned for a month up to `through_month` (the months of its year that have ended,
    members.programmes.months_ended) and not realised."""
    return Q(realised_on__isnull=True, month__lte=through_month)


class ProgrammeActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProgrammeActivityQuerySet":
        return self.filter(programme__in=WorkProgramme.objects.visible_to(user))

    def realised(self) -> "ProgrammeActivityQuerySet":
        return self.filter(realised_on__isnull=False)

    def within(self, code: str) -> "ProgrammeActivityQuerySet":
        return self.filter(programme__unit__region__code__startswith=code) if code else self.all()

    def with_overdue(self, *, through_month: int) -> "ProgrammeActivityQuerySet":
        """Each activity with `overdue` (True or False), by overdue_q."""
        return self.annotate(overdue=ExpressionWrapper(overdue_q(through_month), output_field=BooleanField()))

    @staticmethod
    def figures(*, through_month: int) -> dict:
        """Planned, realised and overdue as aggregates: for aggregate() (one programme, one unit) or
        annotate() after values() (a region's groups)."""
        return {
            "planned": Count("pk"),
            "realised": Count("pk", filter=Q(realised_on__isnull=False)),
            "overdue": Count("pk", filter=overdue_q(through_month)),
        }

    def tally(self, *, through_month: int) -> dict:
        """figures() of these activities, in one query."""
        return self.aggregate(**self.figures(through_month=through_month))


class ProgrammeActivity(models.Model):
    """A planned activity: what, when (a month of the programme's year), for whom, paid by what; and, once
    realised, when and by what."""

    programme = models.ForeignKey(WorkProgramme, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("activity"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProgrammeActivityKind.choices)
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    target = models.CharField(
        _("target group"),
        max_length=200,
        blank=True,
        help_text=_("Who or what it is for, and how many (for example 30 families in RW 03)."),
    )
    funding = models.CharField(_("funding source"), max_length=12, choices=FundingSource.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_activities",
        help_text=_("The partner that funds it, when the funding is a partner's."),
    )
    budget = models.DecimalField(
        _("budget (Rp)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    realised_on = models.DateField(_("realised on"), null=True, blank=True)
    realised_by = models.CharField(_("realised by"), max_length=10, choices=RealisedBy.choices, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_activities",
    )
    # The events that realised it are trainings.Event.programme_activities (declared there, above this layer).
    report_count = models.PositiveIntegerField(_("reports"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()
    objects = ProgrammeActivityQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "month", "pk"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="programme_activity_month_1_12"
            ),
            # Realised means both: when and by what.
            models.CheckConstraint(
                condition=(Q(realised_on__isnull=True) & Q(realised_by=""))
                | (Q(realised_on__isnull=False) & ~Q(realised_by="")),
                name="programme_activity_realised_whole",
            ),
        ]
        indexes = [models.Index(fields=["programme", "month"], name="programme_activity_month")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_realised(self) -> bool:
        return self.realised_on is not None

    def get_month_display(self) -> str:
        return capfirst(MONTHS.get(self.month, ""))
