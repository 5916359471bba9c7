import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ipsm.lib.tables import DayColumn
from trainings.models import Event


class OrganisersColumn(tables.Column):
    """The organisers, from the prefetched rows."""

    def render(self, record):
        return ", ".join(str(organiser) for organiser in record.organisers.all())


def _header(bound_column) -> str:
    return str(bound_column.header)


class EventTable(tables.Table):
    """Newest first unless sorted otherwise (the view orders the rows: EventQuerySet.newest_first). On a phone
    each row is a card (.table-stack in static/css/trainings.css) whose cells say their column's name."""

    title = tables.LinkColumn(
        "trainings:detail",
        args=[tables.A("pk")],
        verbose_name=_("Title"),
        attrs={"td": {"class": "fw-semibold"}},
    )
    training_type = tables.Column(verbose_name=_("Type"))
    # Ties broken by creation, in both directions: django-tables2 takes the view's order for this column's.
    starts_on = DayColumn(verbose_name=_("Start date"), order_by=("starts_on", "pk"))
    ends_on = DayColumn(verbose_name=_("End date"))
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
        attrs = {
            "class": "table table-sm table-hover align-middle table-stack",
            "id": "events",
            "td": {"data-label": _header},
        }
        empty_text = _("No training events match.")
