"""The five-level indicator report (being written)."""

from django.http import Http404


def indicator_report(request):
    raise Http404
