"""Regions, IPSM units, their boards and members (PSM), and who may see which part of them.

Scope is a Kemendagri code prefix: a user assigned to `33.71` sees every row whose region code starts with
`33.71`. Codes have fixed-width segments (2.2.2.4), so a plain prefix never matches a neighbour, and the
LIKE 'prefix%' filters use the varchar_pattern_ops indexes Django creates for character keys.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ipsm.lib.images import PrivateStorage
from members.access import scope_of
from members.duplicates import DuplicatePairs
from members.nik import mask_nik
from members.nip import format_nip, nip_problems
from members.phone import mask_phone
from members.rules import member_problems

TERM_WARNING_DAYS = 90
ROSTER_STALE_DAYS = 180


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency")
    KOTA = "kota", _("City")
    KECAMATAN = "kecamatan", _("District (kecamatan)")
    DESA = "desa", _("Village (desa)")
    KELURAHAN = "kelurahan", _("Urban village (kelurahan)")


VILLAGE_LEVELS = (RegionLevel.DESA, RegionLevel.KELURAHAN)
KABKOTA_LEVELS = (RegionLevel.KABUPATEN, RegionLevel.KOTA)


def count_subquery(queryset) -> models.Subquery:
    """COUNT(*) of a correlated queryset, as a subquery expression (0 when empty)."""
    counted = queryset.order_by().annotate(_n=models.Func(models.Value(1), function="COUNT")).values("_n")
    return Coalesce(models.Subquery(counted[:1], output_field=models.IntegerField()), 0)


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> "RegionQuerySet":
        return self.filter(code__startswith=code)

    def villages(self) -> "RegionQuerySet":
        return self.filter(level__in=VILLAGE_LEVELS)

    def with_registry_counts(self) -> "RegionQuerySet":
        """Per region, what lies under its code: units, active and candidate PSM, units with stale rosters.

        One query whatever the number of rows: each figure is a correlated subquery on an indexed prefix.
        """
        units = Unit.objects.filter(region__code__startswith=models.OuterRef("code"))
        members = Member.objects.filter(unit__region__code__startswith=models.OuterRef("code"))
        return self.annotate(
            unit_count=count_subquery(units),
            stale_unit_count=count_subquery(units.roster_stale()),
            active_count=count_subquery(members.filter(status=MemberStatus.AKTIF)),
            candidate_count=count_subquery(members.filter(status=MemberStatus.CALON)),
        )

    def visible_to(self, user) -> "RegionQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.within(scope.region_code)
        if scope.unit_region_code:
            return self.within(scope.unit_region_code)
        return self.none()


class Region(models.Model):
    """A Kemendagri region: province, kab/kota, kecamatan or desa/kelurahan."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        if self.level in (RegionLevel.KECAMATAN, *VILLAGE_LEVELS):
            return f"{self.get_level_prefix()} {self.name}"
        return self.name

    def get_level_prefix(self) -> str:
        return {
            RegionLevel.KECAMATAN: _("Kec."),
            RegionLevel.DESA: _("Desa"),
            RegionLevel.KELURAHAN: _("Kel."),
        }.get(self.level, "")

    @property
    def is_village(self) -> bool:
        return self.level in VILLAGE_LEVELS

    @property
    def kabkota_code(self) -> str:
        return self.code[:5]


class UnitQuerySet(models.QuerySet):
    def within(self, code: str) -> "UnitQuerySet":
        return self.filter(region__code__startswith=code)

    def visible_to(self, user) -> "UnitQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.within(scope.region_code)
        if scope.unit_id:
            return self.filter(pk=scope.unit_id)
        return self.none()

    def roster_stale(self) -> "UnitQuerySet":
        """Units whose roster nobody confirmed in the last 180 days."""
        cutoff = timezone.now() - datetime.timedelta(days=ROSTER_STALE_DAYS)
        return self.filter(Q(roster_confirmed_at__isnull=True) | Q(roster_confirmed_at__lt=cutoff))

    def with_member_counts(self) -> "UnitQuerySet":
        return self.annotate(
            active_count=Count("members", filter=Q(members__status=MemberStatus.AKTIF)),
            candidate_count=Count("members", filter=Q(members__status=MemberStatus.CALON)),
            # A merged duplicate is the same person as another record: not counted again.
            inactive_count=Count(
                "members",
                filter=Q(members__status=MemberStatus.NONAKTIF, members__merged_into__isnull=True),
            ),
        )


class Unit(models.Model):
    """An IPSM unit: one per region that has one (desa/kelurahan, kecamatan, kab/kota)."""

    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="unit"
    )
    sk_number = models.CharField(_("SK pembentukan number"), max_length=100, blank=True)
    sk_date = models.DateField(_("SK pembentukan date"), null=True, blank=True)
    # db_default: rows written by COPY (the national data generator) or raw SQL get "" too.
    sk_issuer = models.CharField(
        _("SK pembentukan issued by"), max_length=150, blank=True, default="", db_default=""
    )
    sk_file = models.FileField(
        _("SK pembentukan file"),
        storage=PrivateStorage(),
        upload_to="decrees/",
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    roster_confirmed_at = models.DateTimeField(_("roster last checked"), null=True, blank=True)
    roster_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("roster checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Last serial used in this unit's KTA numbers; raised under a row lock (members.services).
    kta_serial = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["kta_serial"])
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("IPSM unit")
        verbose_name_plural = _("IPSM units")
        permissions = [("confirm_roster", _("Can confirm that a unit's roster was checked"))]

    def __str__(self) -> str:
        return f"IPSM {self.region}"

    @property
    def roster_is_stale(self) -> bool:
        if self.roster_confirmed_at is None:
            return True
        return self.roster_confirmed_at < timezone.now() - datetime.timedelta(days=ROSTER_STALE_DAYS)


class MemberStatus(models.TextChoices):
    CALON = "calon", _("Candidate")
    AKTIF = "aktif", _("Active")
    NONAKTIF = "nonaktif", _("Inactive")


class InactiveReason(models.TextChoices):
    MENGUNDURKAN_DIRI = "mengundurkan_diri", _("Resigned")
    PINDAH_DOMISILI = "pindah_domisili", _("Moved away")
    MENINGGAL_DUNIA = "meninggal_dunia", _("Deceased")
    LAINNYA = "lainnya", _("Other")


# Which status may follow which. Reactivation is allowed, except for a member who died.
STATUS_TRANSITIONS = {
    MemberStatus.CALON: (MemberStatus.AKTIF, MemberStatus.NONAKTIF),
    MemberStatus.AKTIF: (MemberStatus.NONAKTIF,),
    MemberStatus.NONAKTIF: (MemberStatus.AKTIF,),
}


class Sex(models.TextChoices):
    LAKI_LAKI = "L", _("Male")
    PEREMPUAN = "P", _("Female")


class Education(models.TextChoices):
    TIDAK_SEKOLAH = "tidak_sekolah", _("No formal schooling")
    SD = "sd", _("Primary school (SD)")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1-D3)")
    S1 = "s1", _("Bachelor (D4/S1)")
    S2 = "s2", _("Master (S2)")
    S3 = "s3", _("Doctorate (S3)")


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MemberQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(unit__region__code__startswith=scope.region_code)
        if scope.unit_id:
            return self.filter(unit_id=scope.unit_id)
        return self.none()

    def active(self) -> "MemberQuerySet":
        return self.filter(status=MemberStatus.AKTIF)

    def within(self, code: str) -> "MemberQuerySet":
        """Members of the units under region `code` ("" for all)."""
        return self.filter(unit__region__code__startswith=code) if code else self.all()

    def active_on(self, day: datetime.date) -> "MemberQuerySet":
        """Members whose last status step on or before `day` made them active (from the status history)."""
        last_step = (
            StatusChange.objects.filter(member=models.OuterRef("pk"), changed_on__lte=day)
            .order_by("-changed_on", "-recorded_at")
            .values("new_status")[:1]
        )
        return self.annotate(status_on_day=models.Subquery(last_step)).filter(
            status_on_day=MemberStatus.AKTIF
        )

    def not_merged(self) -> "MemberQuerySet":
        """Leave out records merged into another (members.services.merge_members): kept, but not listed."""
        return self.filter(merged_into__isnull=True)

    def duplicate_pairs(self) -> "DuplicatePairs":
        """Likely duplicates among these members (not merged, pair not dismissed); see members.duplicates.

        Chain after visible_to(user): the pairs stay inside the user's scope.
        """
        return DuplicatePairs(self.not_merged())

    def search(self, text: str) -> "MemberQuerySet":
        """Name (any part) or KTA number. A NIK is looked up by the search box's POST (member_search), never
        by URL."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(full_name__icontains=text) | Q(kta_number__iexact=text))


class Member(models.Model):
    """A Pekerja Sosial Masyarakat in the registry."""

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=255)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    kelurahan = models.ForeignKey(
        Region,
        verbose_name=_("kelurahan/desa of domicile"),
        on_delete=models.PROTECT,
        related_name="resident_members",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("IPSM unit"), on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField(_("mobile number"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    education = models.CharField(_("last education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    joined_on = models.DateField(_("join date"))
    sk_number = models.CharField(_("SK penetapan number"), max_length=100, blank=True)
    sk_date = models.DateField(_("SK penetapan date"), null=True, blank=True)
    sk_issuer = models.CharField(
        _("SK penetapan issued by"), max_length=150, blank=True, default="", db_default=""
    )
    sk_valid_until = models.DateField(
        _("SK penetapan valid until"), null=True, blank=True, help_text=_("Empty: valid without an end date.")
    )
    sk_file = models.FileField(
        _("SK penetapan file"),
        storage=PrivateStorage(),
        upload_to="decrees/",
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    kta_number = models.CharField(_("KTA number"), max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.CALON
    )
    status_reason = models.CharField(_("reason"), max_length=20, choices=InactiveReason.choices, blank=True)
    status_since = models.DateField(_("status since"))
    # A duplicate record merged into another (members.services.merge_members) is kept, inactive, pointing
    # at the record that carries on; default lists leave it out (MemberQuerySet.not_merged).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True, editable=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("member (PSM)")
        verbose_name_plural = _("members (PSM)")
        permissions = [
            ("transfer_member", _("Can transfer a member to another unit")),
            ("merge_member", _("Can merge duplicate member records")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nik__regex=r"^[0-9]{16}$"), name="member_nik_16_digits"),
            models.CheckConstraint(
                condition=Q(status=MemberStatus.NONAKTIF, status_reason__gt="")
                | (~Q(status=MemberStatus.NONAKTIF) & Q(status_reason="")),
                name="member_inactive_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=r"^\+628[0-9]{8,11}$"), name="member_phone_e164"
            ),
            # A merged record is inactive, says when it was merged, and never points at itself.
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | (
                    Q(merged_into__isnull=False, merged_at__isnull=False, status=MemberStatus.NONAKTIF)
                    & ~Q(merged_into=models.F("pk"))
                ),
                name="member_merged_is_inactive",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="member_unit_status"),
            # Name search (icontains) at national scale.
            GinIndex(OpClass(Upper("full_name"), name="gin_trgm_ops"), name="member_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        """The member rules (members.rules): every path that saves through full_clean() applies them."""
        problems = member_problems(
            nik=self.nik,
            sex=self.sex,
            birth_date=self.birth_date,
            joined_on=self.joined_on,
            sk_date=self.sk_date,
            sk_valid_until=self.sk_valid_until,
        )
        if problems:
            raise ValidationError(problems)

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def allowed_next_statuses(self) -> tuple[str, ...]:
        if self.merged_into_id:
            return ()  # the person carries on in the record it was merged into
        if self.status == MemberStatus.NONAKTIF and self.status_reason == InactiveReason.MENINGGAL_DUNIA:
            return ()
        return STATUS_TRANSITIONS[MemberStatus(self.status)]


class DuplicateDismissal(models.Model):
    """Two members someone checked and found to be different people ("bukan duplikat"): the duplicate
    finder no longer offers the pair. Stored once per pair, lower pk first."""

    member_a = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed duplicate")
        verbose_name_plural = _("dismissed duplicates")
        constraints = [
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")), name="dismissal_lower_pk_first"
            ),
            models.UniqueConstraint(fields=["member_a", "member_b"], name="dismissal_once_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.member_a_id} ≠ {self.member_b_id}"


class StatusChange(models.Model):
    """One dated step of a member's status lifecycle."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("from"), max_length=10, choices=MemberStatus.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=10, choices=MemberStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=InactiveReason.choices, blank=True)
    changed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-recorded_at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.member}: {self.old_status or '—'} → {self.new_status} ({self.changed_on:%d/%m/%Y})"


class Transfer(models.Model):
    """A member moving from one IPSM unit to another; the member keeps their history and KTA."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(Unit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-transferred_on", "-recorded_at"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="transfer_changes_unit")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_unit_id} → {self.to_unit_id} ({self.transferred_on:%d/%m/%Y})"


class BoardRole(models.TextChoices):
    KETUA = "ketua", _("Chair (ketua)")
    WAKIL_KETUA = "wakil_ketua", _("Vice chair (wakil ketua)")
    SEKRETARIS = "sekretaris", _("Secretary (sekretaris)")
    BENDAHARA = "bendahara", _("Treasurer (bendahara)")
    ANGGOTA = "anggota", _("Board member (anggota pengurus)")


SINGLE_SEAT_ROLES = (BoardRole.KETUA, BoardRole.WAKIL_KETUA, BoardRole.SEKRETARIS, BoardRole.BENDAHARA)
BOARD_ROLE_ORDER = {role: index for index, role in enumerate(BoardRole)}


class BoardPositionQuerySet(models.QuerySet):
    def current(self) -> "BoardPositionQuerySet":
        """Seats still held: not ended, whether or not the masa bakti has lapsed (that is a warning)."""
        return self.filter(ended_on__isnull=True)

    def visible_to(self, user) -> "BoardPositionQuerySet":
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def needing_attention(self, today: datetime.date) -> "BoardPositionQuerySet":
        """Current seats whose term ends within 90 days or has already lapsed."""
        return self.current().filter(term_ends_on__lte=today + datetime.timedelta(days=TERM_WARNING_DAYS))


class BoardPosition(models.Model):
    """A seat on a unit's board (pengurus) held by a member for a masa bakti."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("IPSM unit"), on_delete=models.CASCADE, related_name="board"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="board_positions"
    )
    role = models.CharField(_("position"), max_length=20, choices=BoardRole.choices)
    term_starts_on = models.DateField(_("term starts"))
    term_ends_on = models.DateField(_("term ends"))
    sk_number = models.CharField(_("SK number"), max_length=100, blank=True)
    ended_on = models.DateField(_("left the seat on"), null=True, blank=True)
    decree = models.ForeignKey(
        "members.BoardDecree",
        verbose_name=_("board SK"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    elected_at = models.ForeignKey(
        "members.Meeting",
        verbose_name=_("elected at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elected_positions",
    )

    history = HistoricalRecords()
    objects = BoardPositionQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "ended_on", "term_starts_on"]
        verbose_name = _("board position")
        verbose_name_plural = _("board positions")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=models.F("term_starts_on")), name="board_term_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["unit", "role"],
                condition=Q(ended_on__isnull=True) & ~Q(role=BoardRole.ANGGOTA),
                name="board_one_holder_per_single_seat",
            ),
            models.UniqueConstraint(
                fields=["unit", "member"],
                condition=Q(ended_on__isnull=True),
                name="board_one_seat_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.member}"

    def term_warning(self, today: datetime.date | None = None) -> str:
        """'lapsed', 'ending' (within 90 days) or '' for a current seat."""
        today = today or timezone.localdate()
        if self.ended_on:
            return ""
        if self.term_ends_on < today:
            return "lapsed"
        if self.term_ends_on <= today + datetime.timedelta(days=TERM_WARNING_DAYS):
            return "ending"
        return ""


class Assignment(models.Model):
    """Where a user works: a region (Dinas Sosial staff and viewers), one unit (IPSM coordinators), or one
    member (a PSM's own account, members.accounts).

    What the user may do there comes from their groups (ipsm/roles.py).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignment"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("IPSM unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinators",
    )
    # A PSM's account: one user per member at most, one member per user.
    member = models.OneToOneField(
        "Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="account",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, unit__isnull=True, member__isnull=True)
                | Q(region__isnull=True, unit__isnull=False, member__isnull=True)
                | Q(region__isnull=True, unit__isnull=True, member__isnull=False),
                name="assignment_region_unit_or_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.unit or self.region}"


class NikSearchOutcome(models.TextChoices):
    FOUND = "found", _("Member opened")
    NOT_FOUND = "not_found", _("No member found")
    NOT_ALLOWED = "not_allowed", _("Refused: the user does not see NIK whole")
    LIMITED = "limited", _("Refused: too many NIK searches")


class NikSearch(models.Model):
    """A search of the registry by a whole NIK (members.services.look_up_nik): who, when, what came of it.

    Kept for the activity log and to limit how many NIK one user may try (a NIK's hidden digits are a date:
    unlimited tries would find it). The NIK itself is kept masked, as everything stored for display."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    searched_at = models.DateTimeField(_("when"), auto_now_add=True)
    masked_nik = models.CharField(_("NIK (masked)"), max_length=24)
    outcome = models.CharField(_("outcome"), max_length=12, choices=NikSearchOutcome.choices)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-searched_at", "-pk"]
        verbose_name = _("NIK search")
        verbose_name_plural = _("NIK searches")
        indexes = [models.Index(fields=["user", "-searched_at"], name="niksearch_user_searched")]

    def __str__(self) -> str:
        return f"{self.user} {self.masked_nik} {self.outcome}"


class AccountInvitationQuerySet(models.QuerySet):
    def open(self) -> "AccountInvitationQuerySet":
        """Neither used nor revoked, and not expired."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class AccountInvitation(models.Model):
    """A one-time link with which a PSM chooses the password of their account (members.accounts). Only the
    token's SHA-256 is kept: the link exists on the slip given to the member, nowhere else."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="account_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AccountInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("PSM account invitation")
        verbose_name_plural = _("PSM account invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_after_creation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.created_at:%d/%m/%Y}"


# --- Official print-outs: the office that issues them, the member's photo ----------------------------------

DEFAULT_HEAD_TITLE = "Kepala Dinas Sosial"
DEFAULT_CARD_VALIDITY_YEARS = 5


class OfficeProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OfficeProfileQuerySet":
        """The offices whose print-outs the user may see: those of their kab/kota (or inside their wider
        region), and for a coordinator the office of their unit's kab/kota (it issues their members' cards).
        """
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(Q(region__code__startswith=scope.region_code) | Q(pk=scope.region_code[:5]))
        if scope.unit_region_code:
            return self.filter(pk=scope.unit_region_code[:5])
        return self.none()


class OfficeProfile(models.Model):
    """The Dinas Sosial of a kab/kota as its print-outs show it: the letterhead (name, address, logo), who
    signs (the head of office, with NIP and title) and where, and how long its member cards are valid.

    Kept by the office's own staff (members/views/office.py); the logo goes through members.office."""

    region = models.OneToOneField(
        Region,
        verbose_name=_("kab/kota"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="office_profile",
    )
    name = models.CharField(_("office name"), max_length=150, help_text=_("e.g. Dinas Sosial Kota Magelang"))
    address = models.CharField(_("address"), max_length=255)
    # A PNG drawn anew from the upload's pixels (ipsm.lib.images), in private storage.
    logo = models.FileField(
        _("logo"), storage=PrivateStorage(), upload_to="logos/", blank=True, editable=False
    )
    head_name = models.CharField(
        _("head of office"), max_length=150, help_text=_("Name with academic titles, as signed.")
    )
    head_nip = models.CharField(_("NIP of the head of office"), max_length=18)
    head_title = models.CharField(
        _("title of the head of office"), max_length=150, default=DEFAULT_HEAD_TITLE
    )
    signing_city = models.CharField(
        _("place of signing"),
        max_length=100,
        help_text=_("Printed before the date: Magelang, 13 November 2024."),
    )
    card_validity_years = models.PositiveSmallIntegerField(
        _("member card validity (years)"),
        default=DEFAULT_CARD_VALIDITY_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    # PSM monthly reports (cases.reports) are due on this day of the next month.
    report_due_day = models.PositiveSmallIntegerField(
        _("monthly report due day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the next month by which PSM monthly reports are due (1-28)."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Who saved is the history's own user; the timestamp is its date.
    history = HistoricalRecords(excluded_fields=["updated_at", "updated_by"])
    objects = OfficeProfileQuerySet.as_manager()

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("office profile")
        verbose_name_plural = _("office profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(head_nip__regex=r"^[0-9]{18}$"), name="office_head_nip_18_digits"
            ),
            models.CheckConstraint(
                condition=Q(card_validity_years__gte=1, card_validity_years__lte=10),
                name="office_card_validity_1_to_10_years",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = {}
        if self.region_id and self.region.level not in KABKOTA_LEVELS:
            problems["region"] = _("An office profile belongs to a kab/kota.")
        if self.head_nip:
            nip = nip_problems(self.head_nip)
            if nip:
                problems["head_nip"] = nip
        if problems:
            raise ValidationError(problems)

    @property
    def head_nip_display(self) -> str:
        return format_nip(self.head_nip)


class MemberPhotoQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MemberPhotoQuerySet":
        return self.filter(member__in=Member.objects.visible_to(user))


class MemberPhoto(models.Model):
    """A member's pas foto for the member card: a JPEG drawn anew from the upload's pixels (no EXIF, no GPS),
    in private storage, shown only to whoever may see the member (members.photos)."""

    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="photo"
    )
    image = models.FileField(_("photo"), storage=PrivateStorage(), upload_to="photos/", editable=False)
    width = models.PositiveSmallIntegerField(editable=False)
    height = models.PositiveSmallIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    history = HistoricalRecords()
    objects = MemberPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("member photo")
        verbose_name_plural = _("member photos")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.image.name}"


# The institution (meetings, board SK, work programmes) and the partners: their own modules, models of this
# app.
from members.models.institution import (  # noqa: E402, F401
    BoardDecree,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingAttendance,
    MeetingDecision,
    MeetingKind,
)
from members.models.partners import (  # noqa: E402, F401
    Contribution,
    ContributionKind,
    Partner,
    PartnerSector,
)
from members.models.programmes import (  # noqa: E402, F401
    FundingSource,
    ProgrammeActivity,
    ProgrammeActivityKind,
    RealisedBy,
    WorkProgramme,
)
