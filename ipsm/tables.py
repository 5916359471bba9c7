"""Columns shared by the list tables (django-tables2)."""

import datetime

import django_tables2 as tables
from django.utils import dateformat, timezone


class DayColumn(tables.Column):
    """A date, or a datetime's day in Asia/Jakarta, as dd/mm/yyyy.

    tables.DateColumn renders through a template that it compiles again for every cell: a page of 50 rows
    spent more time there than in its queries.
    """

    def render(self, value):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value)
        return dateformat.format(value, "d/m/Y")
