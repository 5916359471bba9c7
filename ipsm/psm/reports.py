"""A PSM's own monthly activity reports (cases/reports.py holds the rules): the list by month, and one
month's form, saved as a draft or submitted; read-only once submitted, editable again when returned."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cases import reports
from cases.models import MonthlyReport, ReportPhoto
from cases.report_forms import MonthlyReportForm, activity_formset, form_content, save_photos
from ipsm.lib.images import private_file_response
from ipsm.psm.views import _own_member


@login_required
def report_list(request):
    member = _own_member(request)
    context = {
        "member": member,
        "reports": MonthlyReport.objects.of_member(member),
        "current": f"{reports.current_month():%Y-%m}",
    }
    return render(request, "psm/report_list.html", context)


@login_required
def report_month(request, month):
    member = _own_member(request)
    day = reports.parse_month(month)
    if day is None or day > reports.current_month():
        raise Http404
    report = MonthlyReport.objects.of_member(member).filter(month=day).first()
    if report is None:
        report = MonthlyReport(member=member, month=day, due_on=reports.due_date(member, day))
    if not report.is_editable:
        if request.method == "POST":
            messages.error(request, _("This report can no longer be changed."))
        context = {**reports.page_context(report), "photo_url": "psm:report_photo"}
        return render(request, "psm/report_view.html", context)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if data is not None else None
    form, formset = MonthlyReportForm(data, files, report=report), activity_formset(data, report)
    if data is not None and form.is_valid() and formset.is_valid():
        submit = "kirim" in request.POST
        try:
            with transaction.atomic():
                saved = _save(request, member, day, form, formset)  # rolled back with the submission
                if submit:
                    reports.submit_report(report=saved, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Report submitted.") if submit else _("Draft saved."))
            return redirect("psm:report", month=month)
    context = {"report": report, "form": form, "formset": formset, "note": report.pk and report.return_note()}
    context["photo_url"] = "psm:report_photo"
    return render(request, "psm/report_form.html", context)


def _save(request, member, day, form, formset) -> MonthlyReport:
    report = reports.start_report(member=member, month=day, by=request.user)
    report = reports.save_report(report=report, by=request.user, **form_content(form, formset))
    save_photos(form, report, request.user)
    return report


@login_required
def report_photo(request, pk):
    """An evidence photo of one of their own reports."""
    member = _own_member(request)
    photo = get_object_or_404(ReportPhoto.objects.filter(report__member=member), pk=pk)
    return private_file_response(photo.image)
