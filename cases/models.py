"""PMKS counts per kelurahan, cases (penanganan) with their responsible PSM, and PSM coverage.

Cases hold sensitive personal data (children, victims of violence, people with HIV): only users who hold
`cases.view_case` and whose scope covers the case's kelurahan see them. Everyone else sees counts only.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import connections, models
from django.db.models import Case as CaseWhen
from django.db.models import Count, F, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Ceil, Coalesce, Greatest, Left, NullIf
from django.utils.translation import gettext_lazy as _
from django_cte import CTE, with_cte
from simple_history.models import HistoricalRecords

from cases.periods import WHOLE_YEAR, Period
from ipsm.lib.images import PrivateStorage
from members.access import scope_of
from members.models import (
    VILLAGE_LEVELS,
    Contribution,
    Member,
    MemberStatus,
    Partner,
    Region,
    RegionQuerySet,
    Sex,
    count_subquery,
)

# The national target (Kemensos): at least 5 PSM per desa/kelurahan.
DEFAULT_MIN_ACTIVE_PSM = 5
# One volunteer can follow about 50 PMKS (a visit a month each at 2-3 visits per working day); see README.
DEFAULT_MAX_PMKS_PER_PSM = 50


# --- PMKS categories and counts --------------------------------------------------------------------------


class PmksCategory(models.Model):
    """One of the 26 PMKS/PPKS categories (Permensos 08/2012, renamed PPKS by Permensos 5/2019).

    Categories are retired, never deleted, so that old counts and cases keep their meaning.
    """

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=10, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "number"]
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")

    def __str__(self) -> str:
        return self.name


class PmksSource(models.TextChoices):
    DTKS = "dtks", _("DTKS/SIKS-NG")
    SURVEI = "survei", _("Survey")
    LAPORAN_PSM = "laporan_psm", _("PSM report")
    LAINNYA = "lainnya", _("Other")


class PmksCountQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PmksCountQuerySet":
        """Staff and viewers: their area; coordinators: their unit's kelurahan only."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        code = scope.region_code or scope.unit_region_code
        if not code:
            return self.none()
        return self.filter(kelurahan__code__startswith=code)

    def for_period(self, period: Period) -> "PmksCountQuerySet":
        return self.filter(year=period.year, semester=period.semester)

    def periods(self) -> list[Period]:
        """The periods that have data, newest first."""
        rows = self.order_by().values_list("year", "semester").distinct()
        return sorted((Period(year, semester) for year, semester in rows), reverse=True)


class PmksCount(models.Model):
    """How many people of one PMKS category live in a kelurahan, in one period, by one source."""

    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="pmks_counts"
    )
    category = models.ForeignKey(
        PmksCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="counts"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(_("semester"), default=WHOLE_YEAR)  # 0: the whole year
    count = models.PositiveIntegerField(_("count"))
    source = models.CharField(_("source"), max_length=20, choices=PmksSource.choices)
    data_date = models.DateField(_("date of the data"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PmksCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("PMKS count")
        verbose_name_plural = _("PMKS counts")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "category", "year", "semester"], name="pmks_count_one_per_period"
            ),
            models.CheckConstraint(condition=Q(semester__in=[0, 1, 2]), name="pmks_count_semester_0_1_2"),
            models.CheckConstraint(condition=Q(count__gte=0), name="pmks_count_not_negative"),
        ]
        indexes = [models.Index(fields=["year", "semester", "kelurahan"], name="pmks_count_period")]

    def __str__(self) -> str:
        return f"{self.kelurahan_id} {self.category} {self.period.key}: {self.count}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.semester)


class CoverageTarget(models.Model):
    """A kab/kota's own targets; kab/kota without a row use the defaults above."""

    region = models.OneToOneField(
        Region, verbose_name=_("kab/kota"), on_delete=models.PROTECT, related_name="coverage_target"
    )
    min_active_psm = models.PositiveSmallIntegerField(
        _("minimum active PSM per kelurahan"), default=DEFAULT_MIN_ACTIVE_PSM
    )
    max_pmks_per_psm = models.PositiveSmallIntegerField(
        _("maximum PMKS per PSM"), default=DEFAULT_MAX_PMKS_PER_PSM
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [
            models.CheckConstraint(condition=Q(min_active_psm__gte=1), name="target_min_psm_positive"),
            models.CheckConstraint(condition=Q(max_pmks_per_psm__gte=1), name="target_max_pmks_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: ≥{self.min_active_psm} PSM, ≤{self.max_pmks_per_psm} PMKS/PSM"


# --- Cases -----------------------------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    BARU = "baru", _("New")
    ASESMEN = "asesmen", _("Assessment")
    INTERVENSI = "intervensi", _("Intervention")
    RUJUKAN = "rujukan", _("Referral")
    SELESAI = "selesai", _("Completed")
    DITUTUP = "ditutup", _("Closed")


OPEN_STATUSES = (CaseStatus.BARU, CaseStatus.ASESMEN, CaseStatus.INTERVENSI, CaseStatus.RUJUKAN)

# Which status may follow which; a completed or closed case is reopened into assessment.
CASE_TRANSITIONS = {
    CaseStatus.BARU: (CaseStatus.ASESMEN, CaseStatus.DITUTUP),
    CaseStatus.ASESMEN: (CaseStatus.INTERVENSI, CaseStatus.RUJUKAN, CaseStatus.SELESAI, CaseStatus.DITUTUP),
    CaseStatus.INTERVENSI: (CaseStatus.RUJUKAN, CaseStatus.SELESAI, CaseStatus.DITUTUP),
    CaseStatus.RUJUKAN: (CaseStatus.INTERVENSI, CaseStatus.SELESAI, CaseStatus.DITUTUP),
    CaseStatus.SELESAI: (CaseStatus.ASESMEN,),
    CaseStatus.DITUTUP: (CaseStatus.ASESMEN,),
}


class CloseReason(models.TextChoices):
    MENINGGAL_DUNIA = "meninggal_dunia", _("Person died")
    PINDAH = "pindah", _("Person moved away")
    MENOLAK = "menolak", _("Person refused help")
    BUKAN_PMKS = "bukan_pmks", _("Not a PMKS after assessment")
    DITANGANI_PIHAK_LAIN = "pihak_lain", _("Handled by another party")
    DUPLIKAT = "duplikat", _("Duplicate report")
    LAINNYA = "lainnya", _("Other")


class CaseChannel(models.TextChoices):
    LAPORAN_WARGA = "laporan_warga", _("Report by a resident")
    PSM = "psm", _("PSM")
    TKSK = "tksk", _("TKSK")
    RUJUKAN_INSTANSI = "rujukan_instansi", _("Referral by an institution")
    LAINNYA = "lainnya", _("Other")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Case details: only for holders of cases.view_case, within their kab/kota (or wider) scope."""
        scope = scope_of(user)
        if not user.has_perm("cases.view_case"):
            return self.none()
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(kelurahan__code__startswith=scope.region_code)
        return self.none()

    def within(self, code: str) -> "CaseQuerySet":
        return self.filter(kelurahan__code__startswith=code)

    def handled_by(self, member) -> "CaseQuerySet":
        """The cases `member` is responsible for: all a PSM sees of cases, on their own pages (ipsm/psm)."""
        return self.filter(psm=member)

    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def without_psm(self) -> "CaseQuerySet":
        """A case "tanpa PSM": open, and no PSM responsible for it (the mission: none should be). The case
        list's `tanpa_psm=1`, the dashboard's count and the demo all mean this."""
        return self.open().filter(psm__isnull=True)

    def count_by_category(self) -> models.QuerySet:
        """Counts only (no case's details): dicts of `category__number`, `category__name` and `count`,
        in the categories' order (one query)."""
        return (
            self.order_by()
            .values("category__number", "category__name", "category__sort_order")
            .annotate(count=Count("pk"))
            .order_by("category__sort_order", "category__number")
        )


class Case(models.Model):
    """One person's case (penanganan), handled by one responsible PSM."""

    person_name = models.CharField(_("name"), max_length=150)
    person_nik = models.CharField(_("NIK"), max_length=16, blank=True)
    person_sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    person_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    person_age = models.PositiveSmallIntegerField(
        _("age (years)"), null=True, blank=True, help_text=_("When the date of birth is not known.")
    )
    person_address = models.CharField(_("address"), max_length=255)
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="cases"
    )
    category = models.ForeignKey(
        PmksCategory, verbose_name=_("PMKS category"), on_delete=models.PROTECT, related_name="cases"
    )
    description = models.TextField(_("description"))
    reported_on = models.DateField(_("date reported"))
    channel = models.CharField(_("came in through"), max_length=20, choices=CaseChannel.choices)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.BARU)
    status_since = models.DateField(_("status since"))
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    psm = models.ForeignKey(
        Member,
        verbose_name=_("responsible PSM"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    contributions = models.ManyToManyField(
        Contribution, verbose_name=_("partner contributions"), blank=True, related_name="cases"
    )
    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(person_nik="") | Q(person_nik__regex=r"^[0-9]{16}$"), name="case_nik_16_digits"
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.DITUTUP) | Q(close_reason=""),
                name="case_close_reason_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.DITUTUP) | ~Q(close_reason=""),
                name="case_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "status"], name="case_kelurahan_status"),
            models.Index(fields=["psm", "status"], name="case_psm_status"),
        ]

    def __str__(self) -> str:
        return _("Case #%(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def allowed_next_statuses(self) -> tuple:
        return CASE_TRANSITIONS[self.status]


class CaseStatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices)
    close_reason = models.CharField(_("reason"), max_length=20, choices=CloseReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-recorded_at"]
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")

    def __str__(self) -> str:
        return f"{self.case}: {self.old_status or '—'} → {self.new_status} ({self.changed_on:%d/%m/%Y})"


class CasePsmAssignment(models.Model):
    """Who was made responsible for a case, when and by whom (member empty: the PSM was taken off)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="psm_assignments")
    member = models.ForeignKey(
        Member, verbose_name=_("PSM"), null=True, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_on = models.DateField(_("date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assigned_on", "-recorded_at"]
        verbose_name = _("PSM assignment")
        verbose_name_plural = _("PSM assignments")

    def __str__(self) -> str:
        return f"{self.case}: {self.member or '—'} ({self.assigned_on:%d/%m/%Y})"


class CaseActivity(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    done_on = models.DateField(_("date"))
    description = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_on", "-recorded_at"]
        verbose_name = _("case activity")
        verbose_name_plural = _("case activities")

    def __str__(self) -> str:
        return f"{self.case} {self.done_on:%d/%m/%Y}"


class InstitutionType(models.TextChoices):
    PUSKESMAS = "puskesmas", _("Puskesmas")
    LKS = "lks", _("LKS (social welfare institution)")
    DINAS = "dinas", _("Government office (dinas)")
    BPJS = "bpjs", _("BPJS")
    LAINNYA = "lainnya", _("Other")


class ReferralOutcome(models.TextChoices):
    MENUNGGU = "menunggu", _("Waiting")
    DITERIMA = "diterima", _("Accepted")
    DILAYANI = "dilayani", _("Served")
    DITOLAK = "ditolak", _("Refused")


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    institution_type = models.CharField(_("institution type"), max_length=20, choices=InstitutionType.choices)
    institution_name = models.CharField(_("institution"), max_length=150)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text=_("A partner of the kab/kota, when the institution is one; the name stays as typed."),
    )
    referred_on = models.DateField(_("date referred"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ReferralOutcome.choices, default=ReferralOutcome.MENUNGGU
    )
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=255, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-recorded_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case} → {self.institution_name}"


# --- Coverage: PSM against PMKS per kelurahan ------------------------------------------------------------


class CoverageStatus(models.TextChoices):
    """Ordered worst first: the value is the sort rank. A kelurahan without PMKS figures for the period has
    no status (NO_DATA, after the others): "enough PSM" or "no PSM" would claim what nobody counted."""

    TANPA_PSM = "0", _("No PSM (tanpa PSM)")
    KURANG = "1", _("PSM short")
    CUKUP = "2", _("Enough PSM")
    NO_DATA = "3", _("No PMKS figures yet")


# How many kelurahan of a group have each status: the names of the roll-up's counts (_ROLLUP).
STATUS_COUNTS = {
    CoverageStatus.TANPA_PSM: "kelurahan_status_tanpa_psm",
    CoverageStatus.KURANG: "kelurahan_status_kurang",
    CoverageStatus.CUKUP: "kelurahan_status_cukup",
    CoverageStatus.NO_DATA: "kelurahan_without_pmks",
}


def _subquery_value(queryset, field: str, output_field) -> models.Subquery:
    return models.Subquery(queryset.values(field)[:1], output_field=output_field)


class KelurahanQuerySet(RegionQuerySet):
    def with_coverage(
        self, period: Period | None, *, as_of: datetime.date | None = None
    ) -> "KelurahanQuerySet":
        """Per kelurahan: active PSM, PMKS of the period, open cases (all / without PSM), targets, shortfall.

        With `as_of`, active PSM are counted as they were on that day, from the members' status history
        (in the unit they belong to now). One query whatever the number of rows: correlated subqueries.
        """
        return self.with_coverage_counts(period, as_of=as_of).with_coverage_results()

    def with_coverage_counts(
        self, period: Period | None, *, as_of: datetime.date | None = None
    ) -> "KelurahanQuerySet":
        """The counts of with_coverage() (COVERAGE_COUNTS but training's), without what follows from them."""
        code = models.OuterRef("code")
        if as_of is None:
            active = Member.objects.filter(unit__region_id=code, status=MemberStatus.AKTIF)
        else:
            active = Member.objects.filter(unit__region_id=code).active_on(as_of)
        open_cases = Case.objects.filter(kelurahan_id=code).open()
        target = CoverageTarget.objects.filter(region_id=Left(code, 5))
        pmks = PmksCount.objects.none() if period is None else PmksCount.objects.for_period(period)
        pmks = pmks.filter(kelurahan_id=code).order_by().values("kelurahan_id").annotate(total=Sum("count"))
        integer = models.IntegerField()
        return self.annotate(
            active_psm=count_subquery(active),
            # A typed NULL without a period: the roll-up's SUM() needs to know the type.
            pmks=Cast(Value(None), integer) if period is None else _subquery_value(pmks, "total", integer),
            open_cases=count_subquery(open_cases),
            open_cases_without_psm=count_subquery(Case.objects.filter(kelurahan_id=code).without_psm()),
            min_active_psm=Coalesce(
                _subquery_value(target, "min_active_psm", integer), Value(DEFAULT_MIN_ACTIVE_PSM)
            ),
            max_pmks_per_psm=Coalesce(
                _subquery_value(target, "max_pmks_per_psm", integer), Value(DEFAULT_MAX_PMKS_PER_PSM)
            ),
        )

    def with_coverage_results(self) -> "KelurahanQuerySet":
        """What follows from `active_psm`, `pmks` and the targets (annotated by with_coverage() or
        from_snapshot()): PSM target and still needed, PMKS per PSM, status, the flags the roll-up counts."""
        integer = models.IntegerField()
        return self.annotate(
            psm_target=Greatest(
                F("min_active_psm"),
                Coalesce(Ceil(F("pmks") * 1.0 / F("max_pmks_per_psm")), Value(0.0)),
                output_field=integer,
            ),
            psm_needed=Greatest(F("psm_target") - F("active_psm"), Value(0), output_field=integer),
            pmks_per_psm=F("pmks") * 1.0 / NullIf(F("active_psm"), 0),
            coverage_status=CaseWhen(
                When(pmks__isnull=True, then=Value(CoverageStatus.NO_DATA)),
                When(active_psm=0, then=Value(CoverageStatus.TANPA_PSM)),
                When(psm_needed__gt=0, then=Value(CoverageStatus.KURANG)),
                default=Value(CoverageStatus.CUKUP),
                output_field=models.CharField(),
            ),
            pmks_without_psm=CaseWhen(When(active_psm=0, pmks__gt=0, then=1), default=0),
            # Short of PSM against the period's PMKS: not a kelurahan without figures (its status says so).
            is_short=CaseWhen(When(psm_needed__gt=0, pmks__isnull=False, then=1), default=0),
        )

    def counted_once(self, names: Sequence[str]) -> "KelurahanQuerySet":
        """These rows with their annotations `names` (counts: correlated subqueries) computed once per row.

        PostgreSQL evaluates a subquery wherever an expression names it, and with_coverage_results() names
        `active_psm` six times: the counts go into a materialized CTE and come back as plain columns, so
        what follows from them costs nothing more. Use it where the rows of a whole region are read.
        """
        counts = CTE(self.order_by().values("code", *names), name="kelurahan_counts", materialized=True)
        rows = counts.join(self.model, code=counts.col.code).annotate(
            **{name: getattr(counts.col, name) for name in names}
        )
        return with_cte(counts, select=rows)

    def matching(self, text: str) -> "KelurahanQuerySet":
        """`matches`: whether the kelurahan's name contains `text` (any case); True for every row without
        text. An annotation rather than a filter so that a page that reads a whole region's rows for its
        totals picks the matching ones out of them (filter(matches=True) where the database pages)."""
        text = text.strip()
        matches = Q(name__icontains=text) if text else Q(pk__isnull=False)
        return self.annotate(matches=models.ExpressionWrapper(matches, output_field=models.BooleanField()))

    def worst_first(self) -> "KelurahanQuerySet":
        # Plain order_by (DESC puts NULLs first, but none of these is ever NULL): the snapshot's index
        # coverage_snapshot_worst_first then serves the national page's first 50 rows.
        return self.order_by(*WORST_FIRST)

    def ordered(self, ordering: Sequence[str]) -> "KelurahanQuerySet":
        """order_by(*ordering) with NULLs last either way, as order_rows() sorts rows already read."""
        return self.order_by(
            *(
                F(field[1:]).desc(nulls_last=True) if field.startswith("-") else F(field).asc(nulls_last=True)
                for field in ordering
            )
        )

    def rolled_up(self, code_length: int, **extra_sums) -> models.QuerySet:
        """The coverage rows summed per ancestor (code_length 2: province, 5: kab/kota, 8: kecamatan, 0: all).

        Call on a queryset `with_coverage()`; gives dicts with `code` and the sums, one query. Other apps
        that annotate more figures per kelurahan pass their `extra_sums` (name -> aggregate) to add them.
        """
        return (
            self.order_by()
            .annotate(code_prefix=Left("code", code_length) if code_length else Value(""))
            .values("code_prefix")
            .annotate(**_ROLLUP, **extra_sums)
            .order_by("code_prefix")
        )

    def totals(self, **extra_sums) -> dict | None:
        """All the rows summed into one (None when there are none)."""
        return self.rolled_up(0, **extra_sums).first()

    def uncovered(self) -> "KelurahanQuerySet":
        """A kelurahan "tanpa PSM" (the dashboard's count and page): PMKS in the period but no active PSM
        (call on a queryset `with_coverage()`). Not to be confused with a case without PSM."""
        return self.filter(pmks_without_psm=1)

    def with_unit(self) -> "KelurahanQuerySet":
        """`unit_pk`: the kelurahan's IPSM unit, or None (a join, no extra query)."""
        return self.annotate(unit_pk=F("unit__id"))

    def from_snapshot(self, period_key: str, *, figures: list[str] | None = None) -> "KelurahanQuerySet":
        """The figures of with_coverage() and of trainings' with_training_coverage() as the last refresh of
        the coverage snapshot stored them (ipsm.dashboard.snapshot), under their live names, for the
        kelurahan in it only. `period_key` is a Period's key, or "" for a period without PMKS counts;
        `figures` limits the stored columns read (the refresh reads the counts and derives the rest)."""
        snapshot = models.FilteredRelation(
            "coverage_snapshots", condition=Q(coverage_snapshots__period_key=period_key)
        )
        names = SNAPSHOT_FIGURES if figures is None else figures
        return (
            self.annotate(snapshot=snapshot)
            .filter(snapshot__isnull=False)
            .annotate(**{name: F(f"snapshot__{name}") for name in names})
        )


# What a group of kelurahan adds up to. A group has no status of its own: it counts its kelurahan per status
# (STATUS_COUNTS; the worst one alone would paint a kecamatan red for one kelurahan). The sums reuse the
# per-kelurahan names, so an entry must not refer to a name that an earlier entry has already replaced.
_ROLLUP = {
    "kelurahan_count": Count("code"),
    "active_psm": Sum("active_psm"),
    "pmks": Sum("pmks"),
    "psm_target": Sum("psm_target"),
    "psm_needed": Sum("psm_needed"),
    "open_cases": Sum("open_cases"),
    "open_cases_without_psm": Sum("open_cases_without_psm"),
    "kelurahan_without_psm": Sum("pmks_without_psm"),
    "kelurahan_short": Sum("is_short"),
    **{name: Count("code", filter=Q(coverage_status=status)) for status, name in STATUS_COUNTS.items()},
}


# The dashboards' default order: no PSM, then PSM short, most PSM needed first.
WORST_FIRST = ("coverage_status", "-psm_needed", "-open_cases_without_psm", "code")


def roll_up(rows: Iterable, code_length: int, **extra_sums) -> list[dict]:
    """KelurahanQuerySet.rolled_up() for rows already read (with their coverage figures): the same
    aggregates, summed here instead of asking the database again (the dashboard reads the rows once)."""
    aggregates = {**_ROLLUP, **extra_sums}
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.code[:code_length], []).append(row)
    return [
        {"code_prefix": prefix, **{name: _aggregate(agg, group) for name, agg in aggregates.items()}}
        for prefix, group in sorted(groups.items())
    ]


def _aggregate(aggregate: models.Aggregate, rows: list):
    """Count, Sum or Min of one annotation over rows as SQL does it: NULLs skipped, NULL when none is left;
    a filter of plain equalities (Q(name=value, ...)) as FILTER (WHERE ...) does it."""
    source = aggregate.get_source_expressions()[0].name
    if aggregate.filter is not None:
        rows = [
            row for row in rows if all(getattr(row, name) == value for name, value in _equalities(aggregate))
        ]
    values = [value for row in rows if (value := getattr(row, source)) is not None]
    if isinstance(aggregate, Count):
        return len(values)
    if not values:
        return None
    if isinstance(aggregate, Sum):
        return sum(values)
    if isinstance(aggregate, Min):
        return min(values)
    raise TypeError(f"No Python counterpart for {aggregate!r}")


def _equalities(aggregate: models.Aggregate) -> list[tuple[str, object]]:
    condition = aggregate.filter
    if (
        condition.connector != Q.AND
        or condition.negated
        or not all(isinstance(child, tuple) and "__" not in child[0] for child in condition.children)
    ):
        raise TypeError(f"No Python counterpart for the filter of {aggregate!r}")
    return condition.children


def status_counts(row: dict) -> list[tuple[str, int]]:
    """A rolled-up row's kelurahan per status, worst first, statuses without kelurahan left out."""
    return [(status, row[name]) for status, name in STATUS_COUNTS.items() if row.get(name)]


def order_rows(rows: Iterable, ordering: Sequence[str]) -> list:
    """Rows (objects or dicts) sorted as order_by(*ordering) would sort them, NULLs last either way."""
    rows = list(rows)
    for field in reversed(ordering):  # stable sorts, the least significant key first
        name, descending = field.removeprefix("-"), field.startswith("-")
        rows.sort(key=lambda row: _sort_key(_value(row, name), descending), reverse=descending)
    return rows


def _value(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _sort_key(value, descending: bool) -> tuple:
    # reverse=True also reverses the first element: NULLs stay last.
    return (value is not None, value) if descending else (value is None, value)


class CoverageSnapshot(models.Model):
    """What with_coverage() and with_training_coverage() give one kelurahan in one period, as the last
    refresh found it (ipsm.dashboard.snapshot): the counts, and what follows from them (target, shortfall,
    status, shares), derived by the same expressions; only the national and province dashboards read it.

    `period_key` "" holds the figures of any period without PMKS counts: only PMKS and what follows from it
    differ between periods.
    """

    kelurahan = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="coverage_snapshots")
    period_key = models.CharField(max_length=7, blank=True)
    # Counts.
    active_psm = models.IntegerField()
    pmks = models.IntegerField(null=True)
    open_cases = models.IntegerField()
    open_cases_without_psm = models.IntegerField()
    min_active_psm = models.IntegerField()
    max_pmks_per_psm = models.IntegerField()
    trained_psm = models.IntegerField()
    trained_recent_psm = models.IntegerField()
    # Derived from the counts in the same transaction (KelurahanQuerySet.with_coverage_results...).
    psm_target = models.IntegerField(null=True)
    psm_needed = models.IntegerField(null=True)
    pmks_per_psm = models.FloatField(null=True)
    coverage_status = models.CharField(max_length=1, blank=True, choices=CoverageStatus.choices)
    pmks_without_psm = models.IntegerField(null=True)
    is_short = models.IntegerField(null=True)
    trained_share = models.FloatField(null=True)
    trained_recent_share = models.FloatField(null=True)

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period_key", "kelurahan"], name="coverage_snapshot_one_per_period"
            )
        ]
        indexes = [
            # The dashboards' default order (KelurahanQuerySet.worst_first): a page of 50 is an index scan.
            models.Index(
                "period_key",
                "coverage_status",
                F("psm_needed").desc(),
                F("open_cases_without_psm").desc(),
                "kelurahan",
                name="coverage_snapshot_worst_first",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan_id} {self.period_key or '-'}"


# What a snapshot row holds, named as the live annotations: the counts, then what is derived from them.
COVERAGE_COUNTS = [
    "active_psm", "pmks", "open_cases", "open_cases_without_psm", "min_active_psm", "max_pmks_per_psm",
    "trained_psm", "trained_recent_psm",
]  # fmt: skip
SNAPSHOT_FIGURES = [
    field.name
    for field in CoverageSnapshot._meta.concrete_fields
    if field.name not in ("id", "kelurahan", "period_key")
]
SNAPSHOT_DERIVED = [name for name in SNAPSHOT_FIGURES if name not in COVERAGE_COUNTS]


class CoverageRefresh(models.Model):
    """When the coverage snapshot was last refreshed, how long that took, the periods it holds (one row)."""

    refreshed_at = models.DateTimeField(_("figures as of"), null=True)
    seconds = models.FloatField(default=0)
    period_keys = models.JSONField(default=list)
    # When a page last queued a refresh, so that many visitors of a stale page queue one between them.
    requested_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("coverage snapshot refresh")
        verbose_name_plural = _("coverage snapshot refreshes")

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}" if self.refreshed_at else "-"

    @property
    def periods(self) -> list[Period]:
        """The periods with PMKS counts at the refresh, newest first."""
        return sorted((Period.parse(key) for key in self.period_keys), reverse=True)


class KelurahanManager(models.Manager.from_queryset(KelurahanQuerySet)):
    def get_queryset(self) -> KelurahanQuerySet:
        return super().get_queryset().filter(level__in=VILLAGE_LEVELS)


class Kelurahan(Region):
    """A desa/kelurahan seen through its coverage (a proxy: the same rows as members.Region)."""

    objects = KelurahanManager()

    class Meta:
        proxy = True
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")


def with_open_case_counts(members: models.QuerySet) -> models.QuerySet:
    """Each member with `open_case_count`: the open cases they are responsible for (one query)."""
    return members.annotate(open_case_count=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES)))


# --- PSM monthly activity reports (laporan kegiatan bulanan); the rules live in cases/reports.py ----------


class ReportState(models.TextChoices):
    DRAF = "draf", _("draft")
    TERKIRIM = "terkirim", _("submitted")
    DISETUJUI = "disetujui", _("approved")
    DIKEMBALIKAN = "dikembalikan", _("returned")


class ReportActivityKind(models.TextChoices):
    PENDATAAN = "pendataan", _("PMKS data collection / mapping")
    KUNJUNGAN = "kunjungan", _("home visit")
    PENDAMPINGAN = "pendampingan", _("accompaniment")
    RUJUKAN = "rujukan", _("referral")
    SOSIALISASI = "sosialisasi", _("outreach / counselling")
    BENCANA = "bencana", _("disaster response")
    PERTEMUAN = "pertemuan", _("IPSM meeting")
    LAINNYA = "lainnya", _("other")


class ReportStepAction(models.TextChoices):
    CREATED = "dibuat", _("created")
    ON_PAPER = "dari_kertas", _("entered from paper")
    SUBMITTED = "dikirim", _("submitted")
    RESUBMITTED = "dikirim_ulang", _("submitted again")
    RETURNED = "dikembalikan", _("returned")
    APPROVED = "disetujui", _("approved")


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MonthlyReportQuerySet":
        """Reports of the members the user may see (a PSM's own go through own_member, ipsm/psm)."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(member__unit__region__code__startswith=scope.region_code)
        if scope.unit_id:
            return self.filter(member__unit_id=scope.unit_id)
        return self.none()

    def of_member(self, member) -> "MonthlyReportQuerySet":
        return self.filter(member=member)

    def approved(self) -> "MonthlyReportQuerySet":
        return self.filter(state=ReportState.DISETUJUI)

    def within(self, code: str) -> "MonthlyReportQuerySet":
        """Reports of the members of the units under region `code` (a report follows its PSM)."""
        return self.filter(member__unit__region__code__startswith=code)

    def in_period(self, period: Period) -> "MonthlyReportQuerySet":
        return self.filter(month__gte=period.start, month__lte=period.end)

    def pmks_reached(self) -> list["PmksReached"]:
        """People reached per (desa/kelurahan, PMKS category, month), summed over the *approved* reports
        among these (the only ones that count); the kelurahan is the region of the PSM's unit. A source of
        its own beside the DTKS/survey counts (PmksCount), never written into them. One query."""
        if self.query.is_empty():
            return []
        sql, params = self._reached_sql()
        with connections[self.db].cursor() as cursor:  # the replica, for a page that reads from it
            cursor.execute(
                f"SELECT r.kelurahan, e.key::int, r.month, sum(e.value::bigint) FROM ({sql}) r "
                "CROSS JOIN LATERAL jsonb_each_text(r.pmks_reached) e GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                params,
            )
            return [PmksReached(*row) for row in cursor.fetchall()]

    def reached_by_category(self) -> dict[int, int]:
        """pmks_reached() summed over the kelurahan and months: people per category number (one query)."""
        reached: dict[int, int] = {}
        for row in self.pmks_reached():
            reached[row.category_number] = reached.get(row.category_number, 0) + row.people
        return reached

    def people_reached(self, periods: Mapping[str, Period]) -> dict[str, int]:
        """pmks_reached() summed over everything, for each named period (0 when none): one query."""
        if self.query.is_empty():
            return dict.fromkeys(periods, 0)
        sql, params = self._reached_sql()
        sums = ", ".join(
            "coalesce(sum(e.value::bigint) FILTER (WHERE r.month BETWEEN %s AND %s), 0)" for _ in periods
        )
        bounds = [day for period in periods.values() for day in (period.start, period.end)]
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT {sums} FROM ({sql}) r CROSS JOIN LATERAL jsonb_each_text(r.pmks_reached) e",
                [*bounds, *params],
            )
            return dict(zip(periods, cursor.fetchone(), strict=True))

    def _reached_sql(self) -> tuple[str, tuple]:
        reports = (
            self.approved().order_by().values("month", "pmks_reached", kelurahan=F("member__unit__region_id"))
        )
        return reports.query.sql_with_params()


class PmksReached(NamedTuple):
    """People of one PMKS category that the PSM of a desa/kelurahan reached in a month (approved reports)."""

    kelurahan_code: str
    category_number: int
    month: datetime.date
    people: int


class MonthlyReport(models.Model):
    """One PSM's activity report for one month: draft, submitted (late or not), approved or returned."""

    member = models.ForeignKey(
        Member, verbose_name=_("PSM"), on_delete=models.PROTECT, related_name="monthly_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAF)
    due_on = models.DateField(_("due date"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    # {PMKS category number (str): people reached}; only numbers above zero are kept.
    pmks_reached = models.JSONField(_("PMKS reached"), default=dict, blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("cases accompanied"), blank=True, related_name="+")
    obstacles = models.TextField(_("obstacles"), blank=True)
    plan = models.TextField(_("next month's plan"), blank=True)
    on_paper = models.BooleanField(_("entered from paper"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="one_report_per_member_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y}"

    @property
    def month_slug(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.state in (ReportState.DRAF, ReportState.DIKEMBALIKAN)

    def return_note(self) -> str:
        """The note of the last return, while the report is returned."""
        if self.state != ReportState.DIKEMBALIKAN:
            return ""
        step = self.steps.filter(action=ReportStepAction.RETURNED).order_by("-at", "-pk").first()
        return step.note if step else ""


class ReportActivity(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("activity"), max_length=15, choices=ReportActivityKind.choices)
    done_on = models.DateField(_("date"))
    count = models.PositiveSmallIntegerField(_("count"), default=1)

    class Meta:
        ordering = ["done_on", "pk"]
        verbose_name = _("report activity")
        verbose_name_plural = _("report activities")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="report_activity_count_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_on:%d/%m/%Y} ({self.count})"


class ReportStep(models.Model):
    """Every step of a report, with who and when: created, entered from paper, submitted, returned (with
    the note), approved."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=15, choices=ReportStepAction.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")

    def __str__(self) -> str:
        return f"{self.report}: {self.get_action_display()}"


class ReportPhoto(models.Model):
    """An evidence photo of a monthly report (at most 3, cases/reports.py): a JPEG drawn anew from the
    upload's pixels (no EXIF, no GPS location), in private storage, served only to whoever sees the report."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), storage=PrivateStorage(), upload_to="report_photos/", editable=False)
    width = models.PositiveSmallIntegerField(editable=False)
    height = models.PositiveSmallIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return f"{self.report} #{self.pk}"


class ReportingSnapshot(models.Model):
    """The reporting rate of one kecamatan in one month (cases.reporting), as the last coverage refresh
    counted it (ipsm.dashboard.snapshot); only the national and province pages read it."""

    kecamatan_code = models.CharField(max_length=8)
    month = models.DateField()
    expected = models.IntegerField()
    submitted = models.IntegerField()
    on_time = models.IntegerField()
    approved = models.IntegerField()

    class Meta:
        verbose_name = _("reporting rate snapshot")
        verbose_name_plural = _("reporting rate snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["kecamatan_code", "month"], name="reporting_snapshot_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kecamatan_code} {self.month:%m/%Y}"

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return self.expected, self.submitted, self.on_time, self.approved
