"""Columns shared by the list tables (django-tables2), and how a list reads its page and order."""

import datetime
import re
from collections.abc import Sequence

import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.utils import dateformat, timezone

from ipsm.lib.query import PAGE, PER_PAGE, SORT, page_number, page_size

# A ?urut= value: column names, "-" for descending, commas between (django-tables2 drops unknown names).
_SORT = re.compile(r"-?\w+(?:,-?\w+)*", re.ASCII)


class DayColumn(tables.Column):
    """A date, or a datetime's day in Asia/Jakarta, as dd/mm/yyyy.

    tables.DateColumn renders through a template that it compiles again for every cell: a page of 50 rows
    spent more time there than in its queries.
    """

    def render(self, value):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value)
        return dateformat.format(value, "d/m/Y")


class BoundedRequestConfig(tables.RequestConfig):
    """RequestConfig with the page sizes a list offers: django-tables2 would take any integer in ?per_halaman=
    (-1 gave a 500, 5000 a page far past what we serve). Any other size gives the first one offered; a page
    number that is not one gives the first page, one past the end the last."""

    def __init__(self, request, *, page_sizes: Sequence[int]):
        super().__init__(request, paginate=True)
        self.page_sizes = page_sizes

    def configure(self, table: tables.Table) -> tables.Table:
        table.request = self.request
        # Indonesian names for django-tables2's page, sort and page-size parameters (ipsm.lib.query).
        table.page_field, table.order_by_field, table.per_page_field = PAGE, SORT, PER_PAGE
        query = self.request.GET
        # Only well-formed names: django-tables2 ignores unknown columns, but warns on dotted junk.
        order_by = [text for text in query.getlist(table.prefixed_order_by_field) if _SORT.fullmatch(text)]
        if order_by:
            table.order_by = order_by
        per_page = page_size(query.get(table.prefixed_per_page_field), self.page_sizes)
        try:
            table.paginate(per_page=per_page, page=page_number(query.get(table.prefixed_page_field)))
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        return table
