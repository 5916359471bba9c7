import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ipsm.lib.exports import CONTENT_TYPES, LIST_LABELS
from ipsm.lib.query import DayFilter
from ipsm.models import ExportLog
from members.forms import DateInput


class ExportLogFilter(django_filters.FilterSet):
    """The export log's filters: who, which list, from and to which day (Asia/Jakarta)."""

    pengguna = django_filters.ModelChoiceFilter(
        label=_("User"), field_name="user", queryset=get_user_model().objects.none()
    )
    daftar = django_filters.ChoiceFilter(
        label=_("List"), field_name="list_name", choices=list(LIST_LABELS.items())
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), field_name="file_format", choices=[(name, name.upper()) for name in CONTENT_TYPES]
    )
    dari = DayFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput())
    sampai = DayFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=DateInput())

    class Meta:
        model = ExportLog
        fields = ["pengguna", "daftar", "format", "dari", "sampai"]

    def __init__(self, data=None, *args, queryset, **kwargs):
        super().__init__(data, *args, queryset=queryset, **kwargs)
        # Only the users whose exports the reader may see.
        users = get_user_model().objects.filter(pk__in=queryset.values("user_id")).order_by("username")
        self.filters["pengguna"].queryset = users
        for name in ("pengguna", "daftar", "format"):
            self.filters[name].field.widget.attrs["class"] = "form-select form-select-sm js-autosubmit"
        for name in ("dari", "sampai"):
            self.filters[name].field.widget.attrs["class"] = "form-control form-control-sm"
