"""PMKS count grid and coverage targets (being written)."""

from django.http import Http404


def _pending(request, **kwargs):
    raise Http404


pmks_grid = coverage_targets = _pending
