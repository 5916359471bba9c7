"""A member's change history and restoring an earlier version of their profile.

The readable history itself is project-wide (ipsm.lib.history); its names stay importable from here.
"""

from django.urls import reverse

from ipsm.lib.history import HISTORY_LIMIT, Change, HistoryEntry, describe_changes, history_entries
from members.models import Member
from members.rules import PROFILE_FIELDS  # what a restore brings back: the profile

__all__ = [
    "HISTORY_LIMIT",
    "PROFILE_FIELDS",
    "Change",
    "HistoryEntry",
    "history_entries",
    "member_history",
    "profile_differences",
    "restore_preview",
]


def member_history(member: Member, *, can_edit: bool) -> list[HistoryEntry]:
    """The member's history; for editors, each earlier version offers to be restored."""
    entries = history_entries(member, show_nik=can_edit)
    if can_edit:
        # The newest record is the profile as it is now: nothing to restore there.
        for entry in entries[1:]:
            if entry.kind != "-":
                entry.restore_url = reverse("members:restore", args=[member.pk, entry.history_id])
    return entries


def profile_differences(member: Member, version) -> list[str]:
    """The profile fields whose value in `version` (a historical record of the member) differs from now."""
    return [
        name
        for name in PROFILE_FIELDS
        if getattr(member, Member._meta.get_field(name).attname)
        != getattr(version, Member._meta.get_field(name).attname)
    ]


def restore_preview(member: Member, version, *, show_nik: bool) -> list[Change]:
    """What restoring `version` would change: current value -> value of that version."""
    return describe_changes(
        Member,
        [
            (name, getattr(member, attname), getattr(version, attname))
            for name in profile_differences(member, version)
            for attname in [Member._meta.get_field(name).attname]
        ],
        show_nik=show_nik,
    )
