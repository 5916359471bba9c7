"""Spreadsheet imports in the browser: upload -> preview (checked by the task worker) -> confirm -> done.

Who: a kind's importer names the permission it needs (members.add_member for rosters, ...); the scope is
checked row by row by the importer. A job and its preview are seen only by the user who uploaded it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from ipsm.importing.forms import ImportUploadForm
from ipsm.lib.imports import confirm_import, importer_class, start_import, template_workbook
from ipsm.lib.query import PAGE
from ipsm.models import ImportJob, ImportKind, RowOutcome
from members.access import require_perm, scope_of

KIND_BY_SLUG = {
    "anggota": ImportKind.MEMBERS,
    "pmks": ImportKind.PMKS_COUNTS,
    "peserta": ImportKind.PARTICIPANTS,
}
SLUG_BY_KIND = {kind: slug for slug, kind in KIND_BY_SLUG.items()}
ROWS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind(user, slug: str) -> tuple[str, type]:
    if slug not in KIND_BY_SLUG:
        raise Http404
    kind = KIND_BY_SLUG[slug]
    importer = importer_class(kind)
    require_perm(user, importer.permission)
    return kind, importer


def _get_job(user, pk: int) -> ImportJob:
    # Only the uploader: the preview lists names from a file that only they chose to share.
    return get_object_or_404(ImportJob.objects.filter(user=user).select_related("user"), pk=pk)


@login_required
def import_start(request, kind_slug):
    kind, importer = _kind(request.user, kind_slug)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        kind=kind,
        user=request.user,
        initial={"event": request.GET.get("kegiatan")},
    )
    if request.method == "POST" and form.is_valid():
        job = start_import(
            user=request.user, kind=kind, upload=form.cleaned_data["file"], options=form.options()
        )
        return redirect("imports:job", pk=job.pk)
    context = {
        "form": form,
        "kind": kind,
        "kind_label": ImportKind(kind).label,
        "slug": kind_slug,
        "columns": importer.template_columns(request.user),
        "required": {column.key for column in importer(user=request.user).required_columns()},
        "recent": ImportJob.objects.filter(user=request.user, kind=kind).defer("content")[:10],
    }
    return render(request, "imports/start.html", context)


@login_required
def import_template(request, kind_slug):
    kind, importer = _kind(request.user, kind_slug)
    response = HttpResponse(template_workbook(importer, request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{importer.template_name}.xlsx"'
    return response


@login_required
def import_job(request, pk):
    job = _get_job(request.user, pk)
    shown = request.GET.get("tampil", RowOutcome.ERROR if job.error_rows else "")
    rows = job.rows.all()
    if shown in RowOutcome.values:
        rows = rows.filter(outcome=shown)
    else:
        shown = ""
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get(PAGE))
    unlisted_errors, unlisted_others = job.unlisted_counts(shown)
    context = {
        "job": job,
        "page": page,
        "shown": shown,
        "unlisted_errors": unlisted_errors,
        "unlisted_others": unlisted_others,
        "outcomes": RowOutcome.choices,
        "slug": SLUG_BY_KIND[job.kind],
        "done_url": _done_url(request.user, job),
    }
    return render(request, "imports/job.html", context)


@login_required
def import_progress(request, pk):
    """Polled by the job page (htmx) while the worker runs; reloads the page once it is done."""
    job = ImportJob.objects.filter(user=request.user, pk=pk).defer("content").first()
    if job is None:
        raise Http404
    if not job.is_running:
        return HttpResponseClientRefresh()
    return render(request, "imports/_progress.html", {"job": job})


@require_POST
@login_required
def import_confirm(request, pk):
    job = _get_job(request.user, pk)
    require_perm(request.user, importer_class(job.kind).permission)
    if confirm_import(job=job):
        messages.info(request, _("The import has started."))
    else:
        messages.error(request, _("This file is not waiting for confirmation (any more)."))
    return redirect("imports:job", pk=job.pk)


def _done_url(user, job: ImportJob) -> str:
    """Where the imported data can be seen."""
    if job.kind == ImportKind.MEMBERS:
        scope = scope_of(user)
        if scope.unit_id:
            return reverse("members:unit_detail", args=[scope.unit_id])
        return reverse("members:list")
    if job.kind == ImportKind.PARTICIPANTS and job.options.get("event"):
        return reverse("trainings:detail", args=[job.options["event"]])
    return reverse("home") + (f"?periode={job.options['period']}" if job.options.get("period") else "")
