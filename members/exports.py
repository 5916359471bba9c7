"""What the registry's lists export (ipsm.lib.exports writes the files): the member list and the unit list.

Both take the list page's query string, so a file holds exactly the rows the page shows, within the user's
scope. NIK are masked unless the user may edit that member (NikPolicy).
"""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipsm.lib.exports import Column, Export, choice_labels, filterset_filters
from members.access import NikPolicy, scope_of
from members.filters import MemberFilter, UnitFilter
from members.models import Education, InactiveReason, Member, MemberStatus, Sex, Unit


def area_code(user, *regions) -> str:
    """The code naming an export's file: the first region chosen in the filters, else the user's area."""
    for region in regions:
        if region is not None:
            return region.code
    scope = scope_of(user)
    return scope.region_code or scope.unit_region_code


def file_stem(prefix: str, code: str) -> str:
    return f"{prefix}-{code}" if code else prefix


def member_columns(policy: NikPolicy) -> list[Column]:
    def display(name: str, choices) -> Callable[[Member], str]:
        label = choice_labels(choices)
        return lambda member: label(getattr(member, name))

    return [
        Column(_("KTA number"), lambda m: m.kta_number, 17),
        Column(_("Name"), lambda m: m.full_name, 28),
        Column(_("NIK"), policy.nik, 21),
        Column(_("Sex"), display("sex", Sex), 11),
        Column(_("Place of birth"), lambda m: m.birth_place, 16),
        Column(_("Date of birth"), policy.birth_date, 12),
        # Beside a masked NIK the year only (members.access.NikPolicy): the same rule as the member page.
        Column(_("Year of birth"), policy.birth_year, 8),
        Column(_("Address"), lambda m: m.address, 28),
        Column(_("RT"), lambda m: m.rt, 5),
        Column(_("RW"), lambda m: m.rw, 5),
        Column(_("Kelurahan/desa of domicile"), lambda m: m.kelurahan.name, 20),
        Column(_("IPSM unit"), lambda m: m.unit.region.name, 20),
        Column(_("Unit region code"), lambda m: m.unit.region_id, 15),
        Column(_("Kecamatan"), lambda m: m.unit.region.parent.name if m.unit.region.parent else "", 18),
        Column(_("Mobile number"), lambda m: m.phone, 16),
        Column(_("Email"), lambda m: m.email, 24),
        Column(_("Last education"), display("education", Education), 18),
        Column(_("Occupation"), lambda m: m.occupation, 18),
        Column(_("Join date"), lambda m: m.joined_on, 12),
        Column(_("SK penetapan"), lambda m: m.sk_number, 18),
        Column(_("SK penetapan date"), lambda m: m.sk_date, 12),
        Column(_("Status"), display("status", MemberStatus), 11),
        Column(_("Reason"), display("status_reason", InactiveReason), 16),
        Column(_("Status since"), lambda m: m.status_since, 12),
    ]


def member_export(user, params) -> Export:
    """The member list with the list page's filters (members.views.registry.member_list)."""
    members = Member.objects.visible_to(user).select_related("unit__region__parent", "kelurahan")
    member_filter = MemberFilter(params, queryset=members, user=user)
    member_filter.is_valid()
    chosen = member_filter.form.cleaned_data
    policy = NikPolicy(user)
    return Export(
        list_name="members",
        file_stem=file_stem(
            "anggota",
            area_code(
                user,
                chosen.get("kelurahan"),
                chosen.get("unit") and chosen["unit"].region,
                chosen.get("kecamatan"),
            ),
        ),
        columns=member_columns(policy),
        rows=member_filter.qs,
        filters=filterset_filters(member_filter, params),
        # Every row is in the user's scope, so the policy alone says whether NIK leave whole.
        nik_masked=policy.never_whole,
        sheet_title=_("Members"),
    )


def _roster_checked(unit: Unit):
    return timezone.localdate(unit.roster_confirmed_at) if unit.roster_confirmed_at else None


UNIT_COLUMNS = [
    Column(_("IPSM unit"), lambda u: str(u), 30),
    Column(_("Region code"), lambda u: u.region_id, 15),
    Column(_("Kecamatan"), lambda u: u.region.parent.name if u.region.parent else "", 18),
    Column(_("SK pembentukan"), lambda u: u.sk_number, 18),
    Column(_("SK pembentukan date"), lambda u: u.sk_date, 12),
    Column(_("Active PSM"), lambda u: u.active_count, 10),
    Column(_("Candidates"), lambda u: u.candidate_count, 10),
    Column(_("Inactive"), lambda u: u.inactive_count, 10),
    Column(_("Roster checked"), _roster_checked, 12),
    Column(_("Roster not checked for 180 days"), lambda u: u.roster_is_stale, 12),
]


def unit_export(user, params) -> Export:
    """The unit list with the list page's filters (members.views.registry.unit_list)."""
    units = (
        Unit.objects.visible_to(user)
        .select_related("region__parent")
        .with_member_counts()
        .order_by("region_id")  # Meta.ordering is not applied to a query with GROUP BY
    )
    unit_filter = UnitFilter(params, queryset=units, user=user)
    unit_filter.is_valid()
    return Export(
        list_name="units",
        file_stem=file_stem("unit", area_code(user, unit_filter.form.cleaned_data.get("kecamatan"))),
        columns=UNIT_COLUMNS,
        rows=unit_filter.qs,
        filters=filterset_filters(unit_filter, params),
    )
