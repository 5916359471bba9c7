from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ipsm.lib.admin import ModelAdmin
from ipsm.lib.exports import LIST_LABELS
from ipsm.models import Delivery, DeliveryStatus, ExportLog, ImportJob, Notice
from ipsm.notices.services import resend


@admin.register(ExportLog)
class ExportLogAdmin(ModelAdmin):
    """The export log, read-only: a record of who took data out is never edited or deleted by hand."""

    list_display = ["created_at", "user", "list_label", "file_format", "row_count", "nik_masked"]
    list_filter = ["list_name", "file_format", "nik_masked", "created_at"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "list_name", "file_format", "filters", "row_count", "nik_masked"]

    @admin.display(description=_("list"), ordering="list_name")
    def list_label(self, log: ExportLog) -> str:
        return str(LIST_LABELS.get(log.list_name, log.list_name))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    """Imports, read-only, for administrators looking into a user's problem. The file itself is never shown
    (it holds personal data, and is wiped once the import ends); deleting a job deletes its row outcomes."""

    list_display = ["created_at", "user", "kind", "file_name", "status", "processed_rows", "error_rows"]
    list_filter = ["kind", "status", "created_at"]
    search_fields = ["user__username", "file_name"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    exclude = ["content"]
    readonly_fields = [
        "created_at",
        "user",
        "kind",
        "file_name",
        "options",
        "status",
        "message",
        "total_rows",
        "processed_rows",
        "new_rows",
        "updated_rows",
        "unchanged_rows",
        "error_rows",
        "checked_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Notices as their users got them (ipsm.notices), read-only."""

    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__username", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "kind", "key", "title", "body", "link", "read_at"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Every e-mail of a notice and the outcome of its last attempt; a failed one can be sent again."""

    list_display = ["created_at", "address", "notice", "status", "attempts", "sent_at", "next_attempt_at"]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["address", "notice__title", "notice__user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["notice"]
    readonly_fields = [
        "created_at",
        "notice",
        "channel",
        "address",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "next_attempt_at",
    ]
    actions = ["send_again"]

    @admin.action(description=_("Send again (failed e-mails)"))
    def send_again(self, request, queryset) -> None:
        counts = resend(queryset.filter(status=DeliveryStatus.FAILED))
        self.message_user(request, _("Sent: %(sent)d; failed again: %(failed)d.") % counts, messages.SUCCESS)
