"""Downloads (XLSX or CSV) of the event list, of one event's participants and of the indicator report;
see ipsm/lib/exports.py.

Who: holders of trainings.view_event (Dinas Sosial staff and viewers; coordinators get 403), for events
their office organises and regions in their scope (404 otherwise), as on the pages themselves.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone

from cases.periods import Period
from ipsm.lib.dates import FIRST_YEAR
from ipsm.lib.exports import export_response
from ipsm.lib.query import is_region_code
from members.access import get_for_user, require_perm
from members.models import Region
from trainings import exports, targets
from trainings.indicators import counted_indicator_report
from trainings.models import Event
from trainings.views.indicators import _region as report_region

VIEW_EVENT = "trainings.view_event"


@login_required
def event_export(request, fmt):
    require_perm(request.user, VIEW_EVENT)
    export = exports.event_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def participant_export(request, pk, fmt):
    require_perm(request.user, VIEW_EVENT)
    event = get_for_user(Event.objects.all(), request.user, pk=pk)
    export = exports.participant_export(request.user, event)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def indicator_export(request, fmt):
    require_perm(request.user, VIEW_EVENT)
    region = report_region(request)
    period = exports.indicator_period(request.GET.get("periode"))
    # The figures the page showed (counted at most REPORT_MAX_AGE before), not a second count.
    levels = counted_indicator_report(region.code, period).levels
    export = exports.indicator_export(region, period, levels)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def lkjip_export(request, code, year, fmt):
    """The kab/kota's indicator report of a year as a LKjIP performance table, with its targets and the
    realisation of earlier years (at most TREND_YEARS reports, each a constant number of queries)."""
    require_perm(request.user, "trainings.view_indicatortarget")
    if not is_region_code(code):
        raise Http404
    region = get_for_user(Region.objects.all(), request.user, pk=code)
    if not targets.is_target_region(region) or not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    levels = counted_indicator_report(region.code, Period(year)).levels
    trend = targets.realisation_trend(region, year, levels=levels)
    export = exports.lkjip_export(region, year, levels, targets.targets_of(region, year), trend)
    return export_response(export, user=request.user, file_format=fmt)
