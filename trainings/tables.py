import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipsm.lib.tables import DayColumn
from trainings.models import Event


class OrganisersColumn(tables.Column):
    """The organisers, from the prefetched rows."""

    def render(self, record):
        return ", ".join(str(organiser) for organiser in record.organisers.all())


class EventTable(tables.Table):
    title = tables.LinkColumn("trainings:detail", args=[tables.A("pk")], verbose_name=_("Title"))
    training_type = tables.Column(verbose_name=_("Type"))
    starts_on = DayColumn(verbose_name=_("Start"))
    ends_on = DayColumn(verbose_name=_("End"))
    venue = tables.Column(verbose_name=_("Venue"))
    organisers = OrganisersColumn(verbose_name=_("Organisers"), accessor="pk", orderable=False)
    participant_count = tables.Column(verbose_name=_("Invited"))
    certificate_count = tables.Column(verbose_name=_("Certificates"))

    class Meta:
        model = Event
        fields = [
            "title",
            "training_type",
            "starts_on",
            "ends_on",
            "venue",
            "organisers",
            "participant_count",
            "certificate_count",
        ]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "events"}
        empty_text = _("No training events match.")
