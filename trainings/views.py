"""Training pages (being written)."""

from django.http import Http404


def _pending(request, **kwargs):
    raise Http404


event_list = event_create = event_detail = event_edit = session_add = session_delete = _pending
invite = attendance = issue_certificates = certificate = _pending
