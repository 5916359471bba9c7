"""The roles, as Django groups with permissions. Where each user works is their members.Assignment.

The groups are rebuilt from this table after every migrate, so the code is the one source of truth.
"""

from django.utils.translation import gettext_lazy as _

STAFF = "Staf Dinas Sosial"
VIEWER = "Pimpinan"
COORDINATOR = "Koordinator IPSM"
PSM = "PSM"  # a member's own account (members.accounts): their own pages under /saya/, nothing else

ROLE_LABELS = {
    STAFF: _("Dinas Sosial staff"),
    VIEWER: _("Read-only (pimpinan)"),
    COORDINATOR: _("IPSM coordinator"),
    PSM: _("PSM (own account)"),
}

_READ = [
    "members.view_region",
    "members.view_unit",
    "members.view_member",
    "members.view_boardposition",
    "members.view_statuschange",
    "members.view_transfer",
]
_ROSTER = [
    "members.add_member",
    "members.change_member",
    "members.add_boardposition",
    "members.change_boardposition",
    "members.confirm_roster",
]

# Counts only: PMKS figures and coverage, never a case's details.
_COUNTS = ["cases.view_pmkscategory", "cases.view_pmkscount", "cases.view_coveragetarget"]
_CASES = [
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.add_pmkscount",
    "cases.change_pmkscount",
    "cases.add_coveragetarget",
    "cases.change_coveragetarget",
]

# The life of the IPSM (meetings, their minutes, decisions, follow-ups, attachments; the work programme and
# its activities) and its legal standing (SK of units, boards and PSM): read by everyone who reads the
# registry, kept by staff and, for their own unit, its coordinator.
_INSTITUTION_READ = ["members.view_meeting", "members.view_boarddecree", "members.view_workprogramme"]
_INSTITUTION_WRITE = [
    "members.add_meeting",
    "members.change_meeting",
    "members.delete_meeting",
    "members.add_boarddecree",
    "members.change_boarddecree",
    "members.add_workprogramme",
    "members.change_workprogramme",
]
# Partners and their contributions: kept by staff, read by heads; coordinators read those serving their
# kecamatan.
_PARTNERS_READ = ["members.view_partner", "members.view_contribution"]
_PARTNERS_WRITE = [
    "members.add_partner",
    "members.change_partner",
    "members.add_contribution",
    "members.change_contribution",
    "members.delete_contribution",
]

_TRAINING_READ = [
    "trainings.view_event",
    "trainings.view_session",
    "trainings.view_speaker",
    "trainings.view_participant",
]
_TRAINING_WRITE = [
    "trainings.add_event",
    "trainings.change_event",
    "trainings.add_session",
    "trainings.change_session",
    "trainings.delete_session",
    "trainings.add_speaker",
    "trainings.change_speaker",
    "trainings.add_participant",
    "trainings.change_participant",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    STAFF: _READ
    + _ROSTER
    + ["members.add_unit", "members.change_unit", "members.transfer_member", "members.merge_member"]
    # Their office's profile for the print-outs (letterhead, signatory, logo): kept by staff, read by heads.
    + ["members.view_officeprofile", "members.add_officeprofile", "members.change_officeprofile"]
    + _COUNTS
    + _CASES
    + _TRAINING_READ
    + _TRAINING_WRITE
    # Targets for the indicator report (target, realisasi, capaian): set by the kab/kota's staff.
    + ["trainings.view_indicatortarget", "trainings.add_indicatortarget", "trainings.change_indicatortarget"]
    + _INSTITUTION_READ
    + _INSTITUTION_WRITE
    + _PARTNERS_READ
    + _PARTNERS_WRITE
    # Who changed what, who took data out: the activity log (ipsm.audit.activity), UU PDP 27/2022.
    + ["ipsm.view_exportlog"],
    VIEWER: _READ
    + _COUNTS
    + _TRAINING_READ
    + ["members.view_officeprofile", "trainings.view_indicatortarget"]
    + _INSTITUTION_READ
    + _PARTNERS_READ,
    # A coordinator sees the training history of their unit's members, not the events' pages.
    COORDINATOR: _READ
    + _ROSTER
    + _COUNTS
    + ["trainings.view_participant"]
    + _INSTITUTION_READ
    + _INSTITUTION_WRITE
    + _PARTNERS_READ,
    # No permission any other page checks: a PSM's pages (ipsm/psm) check that the object is their own,
    # and ipsm.middleware.PsmPagesOnlyMiddleware refuses them every other page.
    PSM: [],
}


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and set exactly the permissions listed above (post_migrate)."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def role_of(user) -> str:
    """The user's role name, for display ('' when none)."""
    names = {group.name for group in user.groups.all()}
    for name in (STAFF, VIEWER, COORDINATOR, PSM):
        if name in names:
            return name
    return ""
