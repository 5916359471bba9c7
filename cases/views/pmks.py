"""PMKS count grid (one kelurahan, one period) and a kab/kota's coverage targets.

Regions come through members.access.get_for_user: out of scope gives 404, a read-only user gets 403 on writes.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.models import (
    DEFAULT_MAX_PMKS_PER_PSM,
    DEFAULT_MIN_ACTIVE_PSM,
    CoverageTarget,
    MonthlyReport,
    PmksCategory,
    PmksCount,
)
from cases.periods import Period, asked_period, latest_with_data, period_choices
from cases.pmks_forms import CoverageTargetForm, PeriodForm, PmksGridForm
from members.access import get_for_user
from members.history import history_entries
from members.models import KABKOTA_LEVELS, Region, Unit

GRID_EDIT_PERMS = ("cases.change_pmkscount", "cases.add_pmkscount")


def _shown_period(request, counts, today: datetime.date) -> Period:
    """The period asked for (POST: the one the grid showed), else the kelurahan's latest with data."""
    text = (request.POST if request.method == "POST" else request.GET).get("periode", "")
    period, warning = asked_period(
        text, lambda: latest_with_data(counts.periods(), otherwise=Period(today.year))
    )
    if warning and request.method == "GET":
        messages.warning(request, warning)
    return period


def _grid_figures(counts, period: Period) -> tuple[dict, dict, dict]:
    """This period's and the previous period's figures by category id, and the source/date to prefill."""
    saved, previous, initial = {}, {}, {}
    for row in counts.for_period(period) | counts.for_period(period.previous):
        if row.period == period:
            saved[row.category_id] = row.count
            initial = {"source": row.source, "data_date": row.data_date}
        else:
            previous[row.category_id] = row.count
            initial.setdefault("source", row.source)
    return saved, previous, initial


@login_required
def pmks_grid(request, code):
    user = request.user
    kelurahan = get_for_user(Region.objects.villages(), user, pk=code, perm="cases.view_pmkscount")
    can_edit = user.has_perms(GRID_EDIT_PERMS)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    today = timezone.localdate()
    counts = PmksCount.objects.filter(kelurahan=kelurahan)
    period = _shown_period(request, counts, today)
    saved, previous, initial = _grid_figures(counts, period)
    categories = list(PmksCategory.objects.filter(is_active=True))
    form = PmksGridForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        period=period,
        saved=saved,
        previous=previous,
        initial=initial,
    )
    if form.is_valid():
        period = form.cleaned_data["periode"]
        services.save_pmks_counts(
            kelurahan=kelurahan,
            period=period,
            counts=form.counts(),
            source=form.cleaned_data["source"],
            data_date=form.cleaned_data["data_date"],
            by=user,
        )
        messages.success(
            request,
            _("Figures for %(period)s saved: %(total)s PMKS in all.")
            % {"period": period, "total": form.typed_total()},
        )
        return redirect(f"{reverse('cases:pmks_grid', args=[kelurahan.code])}?periode={period.key}")
    # Beside each count, its own source: the people the PSM reached in the period's approved reports.
    reached = (
        MonthlyReport.objects.filter(member__unit__region=kelurahan).in_period(period).reached_by_category()
    )
    for row in form.rows:
        row["reached"] = reached.get(row["category"].number)
    context = {
        "kelurahan": kelurahan,
        "period": period,
        "previous_period": period.previous,
        "period_form": PeriodForm(
            initial={"periode": period.key},
            periods=period_choices(PmksCount.objects.visible_to(user).periods(), period, today),
        ),
        "form": form,
        "can_edit": can_edit,
        "total": form.saved_total,
        "reached_total": sum(reached.values()),
        "unit": Unit.objects.visible_to(user).filter(region=kelurahan).first(),
    }
    return render(request, "cases/pmks_grid.html", context)


@login_required
def coverage_targets(request, code):
    user = request.user
    kabkota = get_for_user(
        Region.objects.filter(level__in=KABKOTA_LEVELS), user, pk=code, perm="cases.view_coveragetarget"
    )
    target = CoverageTarget.objects.filter(region=kabkota).first() or CoverageTarget(region=kabkota)
    can_edit = user.has_perm("cases.change_coveragetarget") and (
        target.pk is not None or user.has_perm("cases.add_coveragetarget")
    )
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = CoverageTargetForm(request.POST or None, instance=target)
    if form.is_valid():
        target = form.save(commit=False)
        target.updated_by = user
        target.save()
        messages.success(request, _("Targets saved."))
        return redirect("cases:targets", code=kabkota.code)
    context = {
        "kabkota": kabkota,
        "target": target,
        "form": form,
        "can_edit": can_edit,
        "default_min_active_psm": DEFAULT_MIN_ACTIVE_PSM,
        "default_max_pmks_per_psm": DEFAULT_MAX_PMKS_PER_PSM,
        "history": history_entries(target, show_nik=False) if target.pk and can_edit else None,
    }
    return render(request, "cases/targets.html", context)
