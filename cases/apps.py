from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("PMKS and cases")

    def ready(self) -> None:
        # members must not import cases: cases adds its panel to the unit page through members' registry.
        from cases.panels import coverage_panel, reports_panel
        from members.panels import register_unit_panel

        register_unit_panel(coverage_panel)
        register_unit_panel(reports_panel)

        from cases import merge
        from members.panels import register_merge_handler

        register_merge_handler(merge.move_cases, relations=merge.RELATIONS)

        from django.db.models.signals import post_migrate

        from cases.categories import seed_categories

        post_migrate.connect(seed_categories, sender=self)

        from cases.importers import PmksCountImporter
        from ipsm.lib.imports import register_importer

        register_importer(PmksCountImporter)

        from cases import programmes
        from members.programmes import register_source

        register_source(programmes.SOURCE)
