from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("PSM registry")

    def ready(self) -> None:
        from ipsm.lib.imports import register_importer
        from members.importers import MemberImporter

        register_importer(MemberImporter)
