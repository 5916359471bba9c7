from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("PSM registry")

    def ready(self) -> None:
        from ipsm.lib.imports import register_importer
        from members.importers import MemberImporter

        register_importer(MemberImporter)

        from members import office
        from members.panels import register_merge_handler

        register_merge_handler(office.move_member_photo, relations=office.MERGE_RELATIONS)

        from members.panels import register_member_panel
        from members.views.accounts import account_panel

        register_member_panel(account_panel)
