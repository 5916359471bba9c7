"""Project-wide records: spreadsheet imports (jobs and their row outcomes) and the export log.

They belong to no single app: one import engine serves members, PMKS counts and training participants, and
every list of every app exports through one code path that records who took which data (UU PDP 27/2022).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("Members (roster)")
    PMKS_COUNTS = "pmks_counts", _("PMKS counts")
    PARTICIPANTS = "participants", _("Training participants")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Ready to import")
    REFUSED = "refused", _("Refused")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class RowOutcome(models.TextChoices):
    NEW = "new", _("New")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


class ImportJob(models.Model):
    """One uploaded file, checked (preview) and then, if the user confirms, imported in one transaction.

    The file's bytes stay in the database, not on a local disk, so any app server or worker can read them;
    they are wiped once the job is imported or refused (data minimisation).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(editable=False)
    # Kind-specific choices made on upload, e.g. the training event or the PMKS period.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # A problem with the file as a whole (unreadable, no recognised header); row problems are ImportRows.
    message = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    # {outcome: rows checked but not kept as ImportRows}: the preview keeps a few hundred of each outcome
    # (settings.IMPORT_MAX_LISTED_ROWS) and counts the rest, e.g. {"error": 4500}.
    unlisted_rows = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING}

    def unlisted_counts(self, outcome: str = "") -> tuple[int, int]:
        """Rows with errors, and other rows, that the preview of `outcome` (all when blank) does not list."""
        errors = self.unlisted_rows.get(RowOutcome.ERROR, 0) if outcome in ("", RowOutcome.ERROR) else 0
        others = sum(
            count
            for name, count in self.unlisted_rows.items()
            if name != RowOutcome.ERROR and outcome in ("", name)
        )
        return errors, others

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRow(models.Model):
    """What the check found for one spreadsheet row. Rows are numbered as Excel shows them (header = 1)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=RowOutcome.choices)
    # Who or what the row is about (a name, a kelurahan), never a full NIK.
    label = models.CharField(_("row"), max_length=255, blank=True)
    # [{"column": "NIK", "message": "..."}] for errors and warnings; changed field names for updates.
    problems = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["job", "outcome", "row_number"], name="importrow_job_outcome")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.outcome}"


class ExportLog(models.Model):
    """Who took which personal data out of the system, when, with which filters, and how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # The list exported, e.g. "members" (ipsm.lib.exports names them).
    list_name = models.CharField(_("list"), max_length=50)
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    nik_masked = models.BooleanField(_("NIK masked"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-created_at"], name="exportlog_user_created")]

    def __str__(self) -> str:
        return f"{self.list_name} ({self.file_format}) {self.created_at:%Y-%m-%d %H:%M}"


class LanguagePreference(models.Model):
    """The language a person picked with the switcher (ipsm.language); without one, Indonesian."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class NoticeKind(models.TextChoices):
    """What a notice is about (ipsm.notices.services.remind computes them); one more kind per reminder."""

    ROSTER_STALE = "roster_stale", _("Roster not checked")
    BOARD_TERM = "board_term", _("Board term ending")
    REGISTRY_DIGEST = "registry_digest", _("Registry to review")
    REPORT_DUE = "report_due", _("Monthly report due soon")
    REPORT_OVERDUE = "report_overdue", _("Monthly report overdue")
    REPORTS_TO_REVIEW = "reports_to_review", _("Monthly reports to review")


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user) -> "NoticeQuerySet":
        """A user's own notices: nobody else's, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NoticeQuerySet":
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """Something a user should act on, shown in the app (the bell) and e-mailed when they have an address.

    `key` names the situation the notice is about (a unit's roster as last checked on a day, a seat's term
    ending on a day); one notice per user, kind and key, so a daily run does not repeat a reminder that still
    stands, and a new situation (the roster checked, then stale again) gives a new one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    key = models.CharField(_("about"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path of this site (reverse()), made absolute in e-mails with settings.SITE_URL.
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notice_once_per_situation")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_read")]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")


class Delivery(models.Model):
    """One sending of a notice (an e-mail), with the outcome of its last attempt: never dropped. A failed
    attempt is tried again later (ipsm.notices.services.send_pending); after the last one the delivery
    stays `failed`, with its error, in the admin, which can send it again."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=DeliveryChannel.choices, default=DeliveryChannel.EMAIL
    )
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Blank while pending: at the next run; after a failure, not before this time.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}: {self.get_status_display()}"
