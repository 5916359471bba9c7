from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Training")

    def ready(self) -> None:
        # members must not import trainings: trainings adds its panels and its activation check to members'
        # registries.
        from members.panels import register_activation_check, register_member_panel, register_unit_panel
        from trainings.panels import basic_training_check, member_training_panel, unit_training_panel

        register_member_panel(member_training_panel)
        register_unit_panel(unit_training_panel)
        register_activation_check(basic_training_check)

        from members.panels import register_merge_handler
        from trainings import merge

        register_merge_handler(merge.move_training_records, relations=merge.RELATIONS)

        from ipsm.lib.imports import register_importer
        from trainings.importers import ParticipantImporter

        register_importer(ParticipantImporter)

        from members.programmes import register_source
        from trainings import programmes

        register_source(programmes.SOURCE)
