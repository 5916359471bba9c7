"""Partners (kemitraan): organisations that work with a kab/kota's IPSM and Dinas Sosial (dunia usaha and
their CSR, LKS, universities, health services, religious bodies, ormas, government agencies), and what they
contribute. At the bottom layer: cases refer to a partner in a referral, training events name sponsors and
take contributions (cases.models, trainings.models hold those links).

Scope: a partner belongs to one kab/kota (`region`); its staff and viewers see it, a coordinator sees the
partners that serve their unit's kecamatan (PartnerQuerySet.visible_to).
"""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.access import scope_of
from members.models import Region, Unit

# An MoU/PKS ending within this many days is flagged on the directory.
EXPIRY_WARNING_DAYS = 90


class PartnerSector(models.TextChoices):
    DUNIA_USAHA = "dunia_usaha", _("Business / CSR (dunia usaha)")
    LKS = "lks", _("Social welfare institution (LKS)")
    PERGURUAN_TINGGI = "perguruan_tinggi", _("University (perguruan tinggi)")
    LAYANAN_KESEHATAN = "kesehatan", _("Health service")
    KEAGAMAAN = "keagamaan", _("Religious institution")
    ORMAS = "ormas", _("Community organisation (ormas)")
    INSTANSI = "instansi", _("Government agency (instansi)")


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region_code:
            return self.filter(region__code__startswith=scope.region_code[:5])
        if scope.unit_region_code:  # coordinators: the partners serving their unit's kecamatan
            return self.filter(kecamatan_served__code=scope.unit_region_code[:8]).distinct()
        return self.none()

    def within(self, code: str) -> "PartnerQuerySet":
        return self.filter(region__code__startswith=code[:5]) if code else self.all()

    def active_on(self, day: datetime.date) -> "PartnerQuerySet":
        """With an agreement in force on `day` (no end date: open-ended)."""
        return self.filter(
            Q(mou_starts_on__isnull=True) | Q(mou_starts_on__lte=day),
            Q(mou_ends_on__isnull=True) | Q(mou_ends_on__gte=day),
            is_active=True,
        )

    def expiring(self, day: datetime.date | None = None) -> "PartnerQuerySet":
        """Agreements ending within EXPIRY_WARNING_DAYS of `day` (today), or ended already."""
        day = day or timezone.localdate()
        return self.filter(
            is_active=True, mou_ends_on__lte=day + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
        )


class Partner(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name=_("kab/kota"),
        on_delete=models.PROTECT,
        related_name="partners",
        limit_choices_to=Q(level__in=("kabupaten", "kota")),
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=PartnerSector.choices)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    mou_number = models.CharField(_("MoU/PKS number"), max_length=100, blank=True)
    mou_starts_on = models.DateField(_("agreement starts"), null=True, blank=True)
    mou_ends_on = models.DateField(_("agreement ends"), null=True, blank=True)
    kecamatan_served = models.ManyToManyField(
        Region,
        verbose_name=_("kecamatan served"),
        blank=True,
        related_name="partners_serving",
        limit_choices_to=Q(level="kecamatan"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[kecamatan_served])
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="partner_name_unique_in_kabkota"),
            models.CheckConstraint(
                condition=Q(mou_ends_on__isnull=True)
                | Q(mou_starts_on__isnull=True)
                | Q(mou_ends_on__gte=models.F("mou_starts_on")),
                name="partner_agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContributionKind(models.TextChoices):
    UANG = "uang", _("Cash")
    BARANG = "barang", _("In kind")


class ContributionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContributionQuerySet":
        return self.filter(partner__in=Partner.objects.visible_to(user))


class Contribution(models.Model):
    """What a partner gave (kontribusi): cash or in kind, valued in rupiah, for a unit, or (linked from the
    other side) a training event or a case."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="contributions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    value = models.DecimalField(
        _("value (Rp)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(0)]
    )
    given_on = models.DateField(_("date"))
    purpose = models.CharField(_("for"), max_length=255)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("IPSM unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="contribution_value_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.purpose}"
