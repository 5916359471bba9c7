"""Likely duplicate members, and merging two records of one person.

Who: users with members.merge_member (Dinas Sosial staff, within their kab/kota; superusers everywhere).
Coordinators and viewers get 403, anonymous users the login page; a member outside the user's scope 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipsm.lib.forms import add_error_messages
from ipsm.lib.query import PAGE
from members import services
from members.access import get_for_user, require_perm
from members.duplicates import related_counts
from members.forms import DuplicateAreaForm, MergeForm, merged_message
from members.models import Member

PAIRS_PER_PAGE = 20


def _get_pair(user, a: int, b: int) -> tuple[Member, Member]:
    require_perm(user, "members.merge_member")
    members = Member.objects.select_related("unit__region", "merged_into")
    return get_for_user(members, user, pk=a), get_for_user(members, user, pk=b)


@login_required
def duplicate_list(request):
    """Pairs of members that may be one person, most likely first, each to merge or to dismiss."""
    require_perm(request.user, "members.merge_member")
    form = DuplicateAreaForm(request.GET or None, user=request.user)
    members = Member.objects.visible_to(request.user)
    area = form.cleaned_data["wilayah"] if form.is_valid() else None
    if area is not None:
        members = members.filter(unit__region__code__startswith=area.code)
    page = Paginator(members.duplicate_pairs(), PAIRS_PER_PAGE).get_page(request.GET.get(PAGE))
    return render(request, "members/duplicates.html", {"form": form, "page": page})


@login_required
def member_merge(request, a: int, b: int):
    """GET: both records side by side with what each holds; POST: merge one into the record chosen to stay."""
    first, second = _get_pair(request.user, a, b)
    form = MergeForm(request.POST or None, pair=(first, second))
    status = 200
    if form.is_valid():
        survivor, merged = form.chosen()
        try:
            services.merge_members(survivor=survivor, merged=merged, by=request.user)
        except ValidationError as error:
            add_error_messages(request, error)
            status = 400
        else:
            messages.success(request, merged_message(survivor, merged))
            return redirect("members:detail", pk=survivor.pk)
    refusal = services.merge_refusal(pair=(first, second), by=request.user)
    context = {
        "pair": [(member, related_counts(member)) for member in (first, second)],
        "form": form,
        "refusal": refusal,
        "show_nik": request.user.has_perm("members.change_member"),
        "fill_fields": [Member._meta.get_field(name).verbose_name for name in services.MERGE_FILL_FIELDS],
    }
    return render(request, "members/merge_confirm.html", context, status=status)


@require_POST
@login_required
def duplicate_dismiss(request, a: int, b: int):
    """ "Bukan duplikat": the two are different people; the list stops offering the pair."""
    first, second = _get_pair(request.user, a, b)
    try:
        services.dismiss_duplicate(member=first, other=second, by=request.user)
    except ValidationError as error:
        add_error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(a)s and %(b)s are marked as different people.")
            % {"a": first.full_name, "b": second.full_name},
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(back)
    return redirect("members:duplicates")
