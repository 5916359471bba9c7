import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ipsm.lib.exports import CONTENT_TYPES, LIST_LABELS
from ipsm.lib.query import DayFilter
from ipsm.models import ExportLog
from members.forms import DateInput


class ExportLogFilter(django_filters.FilterSet):
    """The export log's filters: who, which list, from and to which day (Asia/Jakarta)."""

    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=get_user_model().objects.none())
    list_name = django_filters.ChoiceFilter(label=_("List"), choices=list(LIST_LABELS.items()))
    file_format = django_filters.ChoiceFilter(
        label=_("Format"), choices=[(name, name.upper()) for name in CONTENT_TYPES]
    )
    since = DayFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput())
    until = DayFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=DateInput())

    class Meta:
        model = ExportLog
        fields = ["user", "list_name", "file_format", "since", "until"]

    def __init__(self, data=None, *args, queryset, **kwargs):
        super().__init__(data, *args, queryset=queryset, **kwargs)
        # Only the users whose exports the reader may see.
        users = get_user_model().objects.filter(pk__in=queryset.values("user_id")).order_by("username")
        self.filters["user"].queryset = users
        for name in ("user", "list_name", "file_format"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"
        for name in ("since", "until"):
            self.filters[name].field.widget.attrs["class"] = "form-control form-control-sm"
