"""Which importer serves which kind of import (the web door and the commands look them up here)."""

from django.utils.module_loading import import_string

from ipsm.models import ImportKind

IMPORTERS = {
    ImportKind.MEMBERS: "members.importers.MemberImporter",
}


def importer_class(kind: str):
    return import_string(IMPORTERS[kind])


def available(kind: str) -> bool:
    return kind in IMPORTERS
