from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseActivity,
    CasePsmAssignment,
    CaseStatusChange,
    CoverageTarget,
    PmksCategory,
    PmksCount,
    Referral,
)
from ipsm.lib.admin import HistoryAdmin, TabularInline
from members.nik import mask_nik


@admin.register(PmksCategory)
class PmksCategoryAdmin(HistoryAdmin):
    """Rename, reorder or retire (untick "in use"); categories are never deleted once used."""

    list_display = ["number", "name", "abbreviation", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "abbreviation"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PmksCount)
class PmksCountAdmin(HistoryAdmin):
    list_display = ["kelurahan", "category", "year", "semester", "count", "source", "data_date", "updated_by"]
    list_filter = ["year", "semester", "source", "category"]
    search_fields = ["kelurahan__code", "kelurahan__name"]
    raw_id_fields = ["kelurahan", "updated_by"]
    list_select_related = ["kelurahan", "category", "updated_by"]
    show_full_result_count = False  # millions of rows at national scale


@admin.register(CoverageTarget)
class CoverageTargetAdmin(HistoryAdmin):
    list_display = ["region", "min_active_psm", "max_pmks_per_psm", "updated_by", "updated_at"]
    search_fields = ["region__code", "region__name"]
    raw_id_fields = ["region", "updated_by"]
    list_select_related = ["region", "updated_by"]


class CaseStatusChangeInline(TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "close_reason", "note", "changed_on", "changed_by"]


class CasePsmAssignmentInline(TabularInline):
    model = CasePsmAssignment
    extra = 0
    can_delete = False
    readonly_fields = ["member", "assigned_on", "assigned_by"]


class CaseActivityInline(TabularInline):
    model = CaseActivity
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


class ReferralInline(TabularInline):
    model = Referral
    extra = 0
    readonly_fields = ["referred_by", "recorded_at"]


@admin.register(Case)
class CaseAdmin(HistoryAdmin):
    list_display = [
        "pk",
        "person_name",
        "masked_nik",
        "kelurahan",
        "category",
        "status",
        "psm",
        "reported_on",
    ]
    list_filter = ["status", "channel", "category"]
    search_fields = ["person_name", "=person_nik", "kelurahan__code", "kelurahan__name"]
    raw_id_fields = ["kelurahan", "psm", "created_by"]
    readonly_fields = ["status", "status_since", "close_reason", "created_by", "created_at", "updated_at"]
    list_select_related = ["kelurahan", "category", "psm"]
    inlines = [CaseStatusChangeInline, CasePsmAssignmentInline, CaseActivityInline, ReferralInline]
    show_full_result_count = False

    @admin.display(description=_("NIK"), ordering="person_nik")
    def masked_nik(self, case):
        return mask_nik(case.person_nik) if case.person_nik else "—"
