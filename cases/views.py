"""Case pages (being written)."""

from django.http import Http404


def _pending(request, **kwargs):
    raise Http404


case_list = case_create = case_detail = case_edit = case_status = case_assign = _pending
case_activity = case_referral = referral_outcome = _pending
