"""Which importer serves which kind of import (the web door and the commands look them up here)."""

from django.utils.module_loading import import_string

from ipsm.models import ImportKind

IMPORTERS = {
    ImportKind.MEMBERS: "members.importers.MemberImporter",
    ImportKind.PMKS_COUNTS: "cases.importers.PmksCountImporter",
    ImportKind.PARTICIPANTS: "trainings.importers.ParticipantImporter",
}


def importer_class(kind: str):
    return import_string(IMPORTERS[kind])
