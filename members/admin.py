from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ipsm.lib.admin import HistoryAdmin, ModelAdmin, NamedFieldsMixin, StackedInline, TabularInline
from ipsm.lib.forms import add_error_messages
from ipsm.login import locked_out_subquery, unlock
from members import office, services
from members.forms import MergeForm, merged_message
from members.models import (
    KABKOTA_LEVELS,
    Assignment,
    BoardPosition,
    DuplicateDismissal,
    Member,
    MemberPhoto,
    OfficeProfile,
    Region,
    StatusChange,
    Transfer,
    Unit,
)
from members.print_forms import OfficeProfileForm


@admin.register(Region)
class RegionAdmin(ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False  # 91,599 rows: skip the extra COUNT


@admin.register(Unit)
class UnitAdmin(HistoryAdmin):
    list_display = ["__str__", "region_code", "sk_number", "sk_date", "roster_confirmed_at"]
    list_filter = ["region__level", "sk_date"]
    search_fields = ["region__name", "region__code", "sk_number"]
    raw_id_fields = ["region", "roster_confirmed_by"]
    list_select_related = ["region"]

    @admin.display(description=_("region code"), ordering="region_id")
    def region_code(self, unit):
        return unit.region_id


class StatusChangeInline(TabularInline):
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


class TransferInline(TabularInline):
    model = Transfer
    fk_name = "member"
    extra = 0
    readonly_fields = ["from_unit", "to_unit", "transferred_on", "note", "transferred_by", "recorded_at"]
    can_delete = False


@admin.register(Member)
class MemberAdmin(HistoryAdmin):
    # The change list links to the duplicate review page (templates/admin/members/member/change_list.html).
    list_display = ["full_name", "kta_number", "masked_nik", "sex", "unit", "status", "joined_on"]
    list_filter = [
        "status",
        "sex",
        "education",
        "unit__region__level",
        ("merged_into", admin.EmptyFieldListFilter),
    ]
    search_fields = ["full_name", "=nik", "=kta_number", "phone"]
    raw_id_fields = ["unit", "kelurahan"]
    readonly_fields = ["kta_number", "merged_into", "merged_at", "merged_by", "created_at", "updated_at"]
    list_select_related = ["unit__region"]
    date_hierarchy = "joined_on"
    inlines = [StatusChangeInline, TransferInline]
    actions = ["merge_two"]

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, member):
        return member.masked_nik

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm("members.merge_member")

    @admin.action(description=_("Merge the two selected records of one person"), permissions=["merge"])
    def merge_two(self, request, queryset):
        """Two selected members: a page choosing the record that stays, then services.merge_members."""
        pair = tuple(queryset.select_related("unit__region", "merged_into").order_by("pk"))
        if len(pair) != 2:
            self.message_user(request, gettext("Select exactly two members to merge."), messages.WARNING)
            return None
        form = MergeForm(request.POST if "survivor" in request.POST else None, pair=pair)
        if form.is_valid():
            survivor, merged = form.chosen()
            try:
                services.merge_members(survivor=survivor, merged=merged, by=request.user)
            except ValidationError as error:
                add_error_messages(request, error)
            else:
                self.message_user(request, merged_message(survivor, merged), messages.SUCCESS)
            return None
        refusal = services.merge_refusal(pair=pair, by=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge two records"),
            "opts": self.model._meta,
            "pair": pair,
            "form": form,
            "refusal": refusal,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/members/member/merge_confirm.html", context)


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(ModelAdmin):
    list_display = ["member_a", "member_b", "dismissed_by", "dismissed_at"]
    search_fields = [
        "member_a__full_name",
        "member_b__full_name",
        "=member_a__kta_number",
        "=member_b__kta_number",
    ]
    raw_id_fields = ["member_a", "member_b", "dismissed_by"]
    list_select_related = ["member_a", "member_b", "dismissed_by"]


@admin.register(BoardPosition)
class BoardPositionAdmin(HistoryAdmin):
    list_display = ["member", "role", "unit", "term_starts_on", "term_ends_on", "ended_on"]
    list_filter = ["role", "term_ends_on", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["member__full_name", "unit__region__name"]
    raw_id_fields = ["unit", "member"]
    list_select_related = ["member", "unit__region"]


@admin.register(StatusChange)
class StatusChangeAdmin(ModelAdmin):
    list_display = ["member", "old_status", "new_status", "reason", "changed_on", "changed_by"]
    list_filter = ["new_status", "reason", "changed_on"]
    search_fields = ["member__full_name", "=member__kta_number"]
    raw_id_fields = ["member", "changed_by"]
    list_select_related = ["member", "changed_by"]


@admin.register(Transfer)
class TransferAdmin(ModelAdmin):
    list_display = ["member", "from_unit", "to_unit", "transferred_on", "transferred_by"]
    list_filter = ["transferred_on"]
    search_fields = ["member__full_name", "=member__kta_number"]
    raw_id_fields = ["member", "from_unit", "to_unit", "transferred_by"]
    list_select_related = ["member", "from_unit__region", "to_unit__region", "transferred_by"]


@admin.register(Assignment)
class AssignmentAdmin(ModelAdmin):
    list_display = ["user", "region", "unit"]
    search_fields = ["user__username", "region__name", "unit__region__name"]
    raw_id_fields = ["user", "region", "unit"]
    list_select_related = ["user", "region", "unit__region"]


class AssignmentInline(StackedInline):
    model = Assignment
    raw_id_fields = ["region", "unit"]
    extra = 0
    max_num = 1
    verbose_name_plural = _("assignment: a region (staff, viewer) or one IPSM unit (coordinator)")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class IpsmGroupAdmin(NamedFieldsMixin, GroupAdmin):
    """Roles are defined in code (ipsm/roles.py); the admin shows them with a plain permission list."""

    filter_horizontal = ()


@admin.register(User)
class IpsmUserAdmin(NamedFieldsMixin, UserAdmin):
    """Django's user admin with the user's region or unit beside their groups (roles)."""

    inlines = [*UserAdmin.inlines, AssignmentInline]
    # Plain multiple selects: the two-pane widget's search icon carries ARIA attributes a <span> may not have
    # (axe-core: aria-prohibited-attr), and its buttons stayed English.
    filter_horizontal = ()
    list_display = [*UserAdmin.list_display, "role_scope", "login_locked"]
    list_select_related = ["assignment__region", "assignment__unit__region"]
    list_filter = [*UserAdmin.list_filter, "groups"]
    actions = ["unlock_login"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(login_locked=locked_out_subquery())

    @admin.display(description=_("login locked"), boolean=True, ordering="login_locked")
    def login_locked(self, user):
        return user.login_locked

    @admin.action(description=_("Unlock login (after too many failed attempts)"))
    def unlock_login(self, request, queryset):
        for user in queryset:
            unlock(user.get_username())
        self.message_user(
            request,
            ngettext("%(count)d user may log in again.", "%(count)d users may log in again.", len(queryset))
            % {"count": len(queryset)},
        )

    @admin.display(description=_("assignment"))
    def role_scope(self, user):
        assignment = getattr(user, "assignment", None)
        return str(assignment.unit or assignment.region) if assignment else "—"


@admin.register(OfficeProfile)
class OfficeProfileAdmin(HistoryAdmin):
    """The office page's form: a logo goes through the same checks (members.office.save_office_profile)."""

    form = OfficeProfileForm
    list_display = ["name", "region", "head_name", "signing_city", "card_validity_years"]
    search_fields = ["name", "region__code", "region__name", "head_name"]
    list_select_related = ["region"]

    def get_fields(self, request, obj=None):
        # The form offers to remove a logo only where there is one.
        return [
            "region",
            *OfficeProfileForm.Meta.fields,
            "logo_upload",
            *(["remove_logo"] if obj and obj.logo else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["region"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(level__in=KABKOTA_LEVELS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        office.save_office_profile(
            profile=obj,
            logo=form.cleaned_data.get("logo_upload"),
            remove_logo=form.cleaned_data.get("remove_logo", False),
            by=request.user,
        )


@admin.register(MemberPhoto)
class MemberPhotoAdmin(HistoryAdmin):
    """Who uploaded which member's photo, and its history; photos are uploaded and removed on the member
    page (members/views/photos.py), which checks and re-encodes them."""

    list_display = ["member", "uploaded_by", "uploaded_at"]
    search_fields = ["member__full_name", "=member__kta_number"]
    readonly_fields = ["member", "width", "height", "uploaded_by", "uploaded_at"]
    list_select_related = ["member", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
