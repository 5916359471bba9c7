"""A user's own notices: the bell's count (loaded by htmx after the page, so no page gains a query), the list,
and marking them read. Nobody sees another user's notice: 404 (NoticeQuerySet.for_user)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipsm.lib.query import PAGE
from ipsm.models import Notice

PAGE_SIZE = 20


@require_GET
def bell(request):
    """The navbar's bell with the unread count; nothing (204) once the session has expired, so that htmx
    does not put the login page into the navbar."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    unread = Notice.objects.for_user(request.user).unread().count()
    return render(request, "notices/_bell.html", {"unread": unread})


@login_required
def notice_list(request):
    notices = Notice.objects.for_user(request.user)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get(PAGE))
    return render(request, "notices/list.html", {"page": page})


@require_POST
@login_required
def mark_read(request, pk: int):
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return redirect("notices:list")


@require_POST
@login_required
def mark_all_read(request):
    count = Notice.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notices are marked as read."))
    return redirect("notices:list")
