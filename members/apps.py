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

        # The institution and its partners: a section each on the unit and member pages.
        from members.panels import register_unit_panel
        from members.views import legality, meetings, partners, programmes

        for module in (meetings, programmes, legality, partners):
            register_unit_panel(module.unit_panel)
            register_member_panel(module.member_panel)
