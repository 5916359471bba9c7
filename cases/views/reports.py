"""PSM monthly reports as their unit's coordinator and their kab/kota's staff see them (cases/reports.py
holds the rules): the unit's PSM with their state for a month, one report with its steps, approving or
returning it (viewers read only: 403 on the actions; outside the user's scope: 404)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import reporting, reports
from cases.models import MonthlyReport, ReportPhoto
from cases.report_forms import MonthlyReportForm, activity_formset, form_content, save_photos
from ipsm.lib.images import private_file_response
from members.access import get_for_user
from members.models import Member, Unit


def _month(request):
    """`?bulan=yyyy-mm`, else last month (the one whose reports are due now); never a month to come."""
    day = reports.parse_month(request.GET.get("bulan", ""))
    current = reports.current_month()
    if day is None or day > current:
        day = (current - datetime.timedelta(days=1)).replace(day=1)
    return day


@login_required
def unit_reports(request, pk):
    unit = get_for_user(Unit.objects.select_related("region"), request.user, pk=pk)
    month = _month(request)
    context = {"unit": unit, "month": month, "month_slug": f"{month:%Y-%m}"}
    context["rows"] = reports.unit_month_rows(unit, month)
    context["rate"] = next(
        iter(reporting.monthly_rates(unit.members.all(), [month], key_length=0)),
        reporting.Rate("", month, 0, 0, 0, 0),
    )
    context["silent"] = reporting.silent_members(unit.members.all()).order_by("full_name", "pk")
    context["silent_months"] = reporting.SILENT_MONTHS
    context["can_enter_on_paper"] = reports.enters_paper_reports(request.user)
    return render(request, "cases/unit_reports.html", context)


def _report(request, pk) -> MonthlyReport:
    queryset = MonthlyReport.objects.visible_to(request.user).select_related("member__unit", "entered_by")
    return get_object_or_404(queryset, pk=pk)


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    context = {**reports.page_context(report), "photo_url": "cases:report_photo"}
    context["can_review"] = report.state == "terkirim" and reports.may_review(request.user, report)
    return render(request, "cases/report_detail.html", context)


def _reviewed(request, pk) -> MonthlyReport:
    report = _report(request, pk)
    if not reports.may_review(request.user, report):
        raise PermissionDenied
    return report


@require_POST
@login_required
def report_approve(request, pk):
    report = _reviewed(request, pk)
    try:
        reports.approve_report(report=report, by=request.user)
        messages.success(request, _("Report approved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:report", pk=report.pk)


@require_POST
@login_required
def report_return(request, pk):
    report = _reviewed(request, pk)
    try:
        reports.return_report(report=report, by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Report returned to the PSM."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:report", pk=report.pk)


@login_required
def report_paper(request, pk, month):
    """Staff enter a PSM's report from their paper form (marked as such, with who entered it)."""
    member = get_for_user(Member.objects.select_related("unit"), request.user, pk=pk)
    day = reports.parse_month(month)
    if day is None or day > reports.current_month():
        raise Http404
    if not reports.may_enter_on_paper(request.user, member):
        raise PermissionDenied
    report = MonthlyReport.objects.filter(member=member, month=day).first()
    if report is None:
        report = MonthlyReport(member=member, month=day, due_on=reports.due_date(member, day))
    if not report.is_editable:
        messages.info(request, _("This report can no longer be changed."))
        return redirect("cases:report", pk=report.pk)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if data is not None else None
    form, formset = MonthlyReportForm(data, files, report=report), activity_formset(data, report)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                saved = reports.enter_report_on_paper(member=member, month=day, by=request.user)
                reports.save_report(report=saved, by=request.user, **form_content(form, formset))
                save_photos(form, saved, request.user)
                if "kirim" in request.POST:
                    reports.submit_report(report=saved, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Report saved."))
            return redirect("cases:report", pk=saved.pk)
    context = {"member": member, "report": report, "form": form, "formset": formset}
    context["photo_url"] = "cases:report_photo"
    context["note"] = report.pk and report.return_note()
    return render(request, "cases/report_paper.html", context)


@login_required
def report_photo(request, pk):
    """An evidence photo, for whoever may see its report."""
    visible = MonthlyReport.objects.visible_to(request.user)
    photo = get_object_or_404(ReportPhoto.objects.filter(report__in=visible), pk=pk)
    return private_file_response(photo.image)
