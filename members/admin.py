from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Assignment, BoardPosition, Member, Region, StatusChange, Transfer, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False  # 91,599 rows: skip the extra COUNT


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "region_code", "sk_number", "sk_date", "roster_confirmed_at"]
    list_filter = ["region__level", "sk_date"]
    search_fields = ["region__name", "region__code", "sk_number"]
    raw_id_fields = ["region", "roster_confirmed_by"]
    list_select_related = ["region"]

    @admin.display(description=_("region code"), ordering="region_id")
    def region_code(self, unit):
        return unit.region_id


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = [
        "old_status",
        "new_status",
        "reason",
        "changed_on",
        "note",
        "changed_by",
        "recorded_at",
    ]
    can_delete = False


class TransferInline(admin.TabularInline):
    model = Transfer
    fk_name = "member"
    extra = 0
    readonly_fields = ["from_unit", "to_unit", "transferred_on", "note", "transferred_by", "recorded_at"]
    can_delete = False


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "kta_number", "masked_nik", "sex", "unit", "status", "joined_on"]
    list_filter = ["status", "sex", "education", "unit__region__level"]
    search_fields = ["full_name", "=nik", "=kta_number", "phone"]
    raw_id_fields = ["unit", "kelurahan"]
    readonly_fields = ["kta_number", "created_at", "updated_at"]
    list_select_related = ["unit__region"]
    date_hierarchy = "joined_on"
    inlines = [StatusChangeInline, TransferInline]

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, member):
        return member.masked_nik


@admin.register(BoardPosition)
class BoardPositionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "role", "unit", "term_starts_on", "term_ends_on", "ended_on"]
    list_filter = ["role", "term_ends_on", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["member__full_name", "unit__region__name"]
    raw_id_fields = ["unit", "member"]
    list_select_related = ["member", "unit__region"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["member", "old_status", "new_status", "reason", "changed_on", "changed_by"]
    list_filter = ["new_status", "reason", "changed_on"]
    search_fields = ["member__full_name", "=member__kta_number"]
    raw_id_fields = ["member", "changed_by"]
    list_select_related = ["member", "changed_by"]


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["member", "from_unit", "to_unit", "transferred_on", "transferred_by"]
    list_filter = ["transferred_on"]
    search_fields = ["member__full_name", "=member__kta_number"]
    raw_id_fields = ["member", "from_unit", "to_unit", "transferred_by"]
    list_select_related = ["member", "from_unit__region", "to_unit__region", "transferred_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "unit"]
    search_fields = ["user__username", "region__name", "unit__region__name"]
    raw_id_fields = ["user", "region", "unit"]
    list_select_related = ["user", "region", "unit__region"]


class AssignmentInline(admin.StackedInline):
    model = Assignment
    raw_id_fields = ["region", "unit"]
    extra = 0
    max_num = 1
    verbose_name_plural = _("assignment: a region (staff, viewer) or one IPSM unit (coordinator)")


admin.site.unregister(User)


@admin.register(User)
class IpsmUserAdmin(UserAdmin):
    """Django's user admin with the user's region or unit beside their groups (roles)."""

    inlines = [*UserAdmin.inlines, AssignmentInline]
    list_display = [*UserAdmin.list_display, "role_scope"]
    list_select_related = ["assignment__region", "assignment__unit__region"]
    list_filter = [*UserAdmin.list_filter, "groups"]

    @admin.display(description=_("assignment"))
    def role_scope(self, user):
        assignment = getattr(user, "assignment", None)
        return str(assignment.unit or assignment.region) if assignment else "—"
