"""The admin's forms with a name for every field (WCAG 2.1: axe-core's `label` and `select-name` rules).

Django's admin leaves some inputs without a label element: the date and the time of a split date-time field,
every field of a tabular inline (its header is a table cell) and its delete box, and the editable columns of
a change list. Our ModelAdmin and inline classes give each such widget an `aria-label` from the field's own
label, through formfield_for_dbfield, which the change form, the inlines and the change list all use.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


def name_widget(field: forms.Field) -> None:
    """An aria-label on the field's widget (each part of a split widget named apart)."""
    label = str(field.label or "")
    widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
    if isinstance(widget, forms.SplitDateTimeWidget):
        date, time = widget.widgets
        date.attrs.setdefault("aria-label", f"{label}: {_('date')}")
        time.attrs.setdefault("aria-label", f"{label}: {_('time')}")
    elif label:
        widget.attrs.setdefault("aria-label", label)


class NamedFieldsMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            name_widget(field)
        return field


class ModelAdmin(NamedFieldsMixin, admin.ModelAdmin):
    pass


class HistoryAdmin(NamedFieldsMixin, SimpleHistoryAdmin):
    """A ModelAdmin with the history pages of django-simple-history."""


class NamedInlineMixin(NamedFieldsMixin):
    """Also the "delete" box of each inline row, which is no model field."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class NamedFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    name_widget(form.fields["DELETE"])

        return NamedFormSet


class TabularInline(NamedInlineMixin, admin.TabularInline):
    pass


class StackedInline(NamedInlineMixin, admin.StackedInline):
    pass
