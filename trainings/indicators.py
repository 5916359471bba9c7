"""The five-level indicator report (Input, Proses, Output, Outcome, Impact) of a region and a period.

Every figure is an aggregate computed by the database, for the period and the previous one at once
(conditional aggregates), so the whole report takes the same few queries however large the region is.
Each indicator carries a plain sentence that says what its figure means (SENTENCES, with the region's name
and the period), the exact formula behind it (DEFINITIONS), and, where a figure is missing, why (REASONS);
keep the three in step with the code when changing any.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases import reporting
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    CaseStatusChange,
    CoverageStatus,
    Kelurahan,
    MonthlyReport,
    PmksCount,
    Referral,
    ReferralOutcome,
    ReportActivity,
    ReportActivityKind,
)
from cases.periods import Period
from members.legality import member_sk_valid_q, unit_sk_q
from members.models import (
    Contribution,
    FollowUp,
    Meeting,
    Member,
    Partner,
    ProgrammeActivity,
    Region,
    Unit,
)
from trainings.models import Attendance, AttendanceStatus, Event, Participant, Session

COUNT, MONEY, SHARE, DECIMAL = "count", "money", "share", "decimal"
# The two columns of the report: the period asked for and the one before it.
CURRENT, PREVIOUS = "current", "previous"
# How long a counted report is shown before it is counted again (counted_indicator_report).
REPORT_MAX_AGE = datetime.timedelta(minutes=10)
# Part of the cache key of counted figures: raise it when an indicator is added, so that figures counted
# before (without it) are not read after an upgrade.
FIGURES_VERSION = 2

Number = int | float | Decimal | None


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Promise
    formula: Promise
    kind: str  # COUNT, MONEY, SHARE (a fraction 0..1) or DECIMAL
    current: Number
    previous: Number
    period: Period | None = None  # the current column's; the previous column's is period.previous
    region_name: str = ""
    why_current: str = ""  # a key of REASONS when `current` is None
    why_previous: str = ""

    @property
    def sentence(self) -> str:
        """What the current figure means, in a plain sentence; or why there is none."""
        if self.current is None:
            return self.current_missing
        return SENTENCES[self.key] % {**self._names(self.period), "value": self.shown_current}

    @property
    def current_missing(self) -> str:
        return self._reason(self.why_current, self.period) if self.current is None else ""

    @property
    def previous_missing(self) -> str:
        previous = self.period.previous if self.period else None
        return self._reason(self.why_previous, previous) if self.previous is None else ""

    def _names(self, period: Period | None) -> dict:
        return {
            "region": self.region_name or _("this region"),
            "period": period or "",
            "before": period.previous if period else "",
        }

    def _reason(self, why: str, period: Period | None) -> str:
        return REASONS.get(why, REASONS[UNKNOWN]) % self._names(period)

    @property
    def change(self) -> Number:
        """Current minus previous (for a share: in percentage points); None when either is unknown."""
        if self.current is None or self.previous is None:
            return None
        if self.kind == SHARE:
            return (self.current - self.previous) * 100
        return self.current - self.previous

    @property
    def relative_change(self) -> float | None:
        """The change as a percentage of the previous value (not for shares, whose change is in points)."""
        if self.kind == SHARE or self.change is None or not self.previous:
            return None
        return float(self.change) / float(self.previous) * 100

    @property
    def shown_current(self) -> str:
        return _shown(self.current, self.kind)

    @property
    def shown_previous(self) -> str:
        return _shown(self.previous, self.kind)

    @property
    def shown_change(self) -> str:
        change = self.change
        if change is None:
            return "—"
        if self.kind == SHARE:
            text = _("%(points)s pp") % {"points": _signed(change, 1)}
        else:
            text = _signed(change, 0 if self.kind in (COUNT, MONEY) else 2)
        if self.relative_change is not None:
            text = f"{text} ({_signed(self.relative_change, 1)}%)"
        return text


@dataclass(frozen=True)
class Level:
    label: str  # Input, Proses, Output, Outcome, Impact: the same words in every language
    indicators: list[Indicator]


def _shown(value: Number, kind: str) -> str:
    if value is None:
        return "—"
    if kind == SHARE:
        return f"{_number(value * 100, 1)}%"
    if kind == MONEY:
        return f"Rp {_number(value, 0)}"
    return _number(value, 2 if kind == DECIMAL else 0)


def _number(value: Number, decimals: int) -> str:
    # number_format cuts off extra decimals; round them instead.
    return number_format(round(value, decimals), decimals, force_grouping=True)


def _signed(value: Number, decimals: int) -> str:
    text = _number(value, decimals)
    return f"+{text}" if round(value, decimals) > 0 else text


# (level, key, kind, name, formula). R: the region, P: the period; "the events held" as in events_held.
DEFINITIONS = [
    (
        "Input",
        "events_held",
        COUNT,
        _("Events held"),
        _(
            "Number of events starting in P that are organised by the Dinas Sosial of R, of a region above "
            "R or of a region inside R, or that have a participant from an IPSM unit in R (a joint event "
            "counts for every region taking part). These are “the events held” below."
        ),
    ),
    (
        "Input",
        "budget",
        MONEY,
        _("Budget"),
        _("Sum of the budgets of the events held (no budget counts as 0)."),
    ),
    (
        "Input",
        "speakers",
        COUNT,
        _("Speakers"),
        _("Number of different speakers of the sessions of the events held."),
    ),
    (
        "Input",
        "psm_invited",
        COUNT,
        _("PSM invited"),
        _("Number of participants of the events held whose IPSM unit lies in R."),
    ),
    (
        "Proses",
        "attendance_rate",
        SHARE,
        _("Attendance rate"),
        _(
            "Attendance rows marked present ÷ all attendance rows (one per participant and day), "
            "for the participants from R of the events held."
        ),
    ),
    (
        "Proses",
        "sessions_held",
        COUNT,
        _("Sessions held"),
        _("Number of sessions (materi) of the events held."),
    ),
    (
        "Proses",
        "reporting_rate",
        SHARE,
        _("PSM reporting rate"),
        _(
            "Monthly reports submitted (sent at least once: waiting, approved or returned) ÷ monthly reports "
            "expected, over the months of P that have ended (the month under way is not due yet). A PSM of "
            "an IPSM unit in R is expected to report for a month when active on its last day (from the "
            "status history)."
        ),
    ),
    (
        "Proses",
        "reports_on_time",
        SHARE,
        _("Reports on time"),
        _(
            "Monthly reports submitted by their due date ÷ monthly reports expected (as for the PSM "
            "reporting rate)."
        ),
    ),
    (
        "Output",
        "psm_trained",
        COUNT,
        _("PSM trained"),
        _("Number of different PSM from R present on every day of at least one of the events held."),
    ),
    (
        "Output",
        "certificates_issued",
        COUNT,
        _("Certificates issued"),
        _("Number of participants from R of the events held who have a certificate number."),
    ),
    (
        "Output",
        "kelurahan_with_trained_psm_share",
        SHARE,
        _("Desa/kelurahan with a trained active PSM"),
        _(
            "Desa/kelurahan in R whose IPSM unit has at least one PSM active on the last day of P (from the "
            "status history) who was present every day at any event that started on or before that day "
            "÷ all desa/kelurahan in R."
        ),
    ),
    (
        "Output",
        "pmks_reached",
        COUNT,
        _("PMKS reached by PSM"),
        _(
            "Sum of the people reached (per PMKS category) in the approved monthly reports for the months "
            "of P of the PSM of the IPSM units in R (a report counts in its PSM's unit). These are “the "
            "approved reports” below. A source of its own: it never changes the PMKS count (DTKS or survey)."
        ),
    ),
    (
        "Output",
        "home_visits",
        COUNT,
        _("Home visits"),
        _("Sum of the counts of the home visits recorded in the approved reports."),
    ),
    (
        "Output",
        "referrals_made",
        COUNT,
        _("Referrals made"),
        _("Sum of the counts of the referrals recorded in the approved reports."),
    ),
    (
        "Outcome",
        "mean_test_gain",
        DECIMAL,
        _("Mean test gain"),
        _(
            "Average of (post-test score − pre-test score) over the participants from R of the events held "
            "who have both scores."
        ),
    ),
    (
        "Outcome",
        "open_cases_with_psm_share",
        SHARE,
        _("Open cases with a PSM"),
        _(
            "Cases in R reported on or before the last day of P and open on that day (status from the case's "
            "status history) that have a responsible PSM (the PSM responsible today) ÷ all those cases."
        ),
    ),
    (
        "Outcome",
        "cases_by_trained_psm",
        COUNT,
        _("Cases handled by a trained PSM"),
        _(
            "Cases in R reported in P whose responsible PSM (today's) had been present every day at an event "
            "that started on or before the date the case was reported."
        ),
    ),
    (
        "Outcome",
        "cases_by_untrained_psm",
        COUNT,
        _("Cases handled by an untrained PSM"),
        _(
            "Cases in R reported in P with a responsible PSM (today's) who had not yet been present every "
            "day at any event that started on or before the date the case was reported."
        ),
    ),
    (
        "Outcome",
        "cases_completed",
        COUNT,
        _("Cases accompanied to completion"),
        _(
            "Different cases listed in the approved reports whose status today is Completed (selesai). A "
            "case closed for any reason (the person died, moved or refused help, not a PMKS, handled by "
            "another party, a duplicate, other) does not count."
        ),
    ),
    (
        "Outcome",
        "cases_completed_share",
        SHARE,
        _("Accompanied cases completed"),
        _("Cases accompanied to completion ÷ different cases listed in the approved reports."),
    ),
    ("Impact", "pmks", COUNT, _("PMKS count"), _("Sum of the PMKS counts of the desa/kelurahan in R for P.")),
    (
        "Impact",
        "pmks_per_psm",
        DECIMAL,
        _("PMKS per PSM"),
        _(
            "PMKS count of P ÷ number of PSM of the IPSM units in R active on the last day of P "
            "(from the status history)."
        ),
    ),
    (
        "Impact",
        "kelurahan_improved",
        COUNT,
        _("Desa/kelurahan whose coverage improved"),
        _(
            "Desa/kelurahan in R whose coverage status on the last day of P (PSM active that day against the "
            "PMKS of P) is better than on the last day of the period before: no PSM < PSM short < enough PSM."
        ),
    ),
    (
        "Impact",
        "kelurahan_worsened",
        COUNT,
        _("Desa/kelurahan whose coverage worsened"),
        _(
            "Desa/kelurahan in R whose coverage status on the last day of P is worse than on the last day "
            "of the period before."
        ),
    ),
]
# The IPSM as an institution and its partners (issue 15), appended to their levels.
DEFINITIONS += [
    (
        "Input",
        "active_partners",
        COUNT,
        _("Active partners"),
        _(
            "Partners of R (of its kab/kota; for a kecamatan or below, those serving its kecamatan) marked "
            "active whose agreement (MoU/PKS), if dated, is in force on the last day of P."
        ),
    ),
    (
        "Input",
        "contributions_value",
        MONEY,
        _("Partner contributions"),
        _("Sum of the value in rupiah of the contributions (cash and in kind) given in P by those partners."),
    ),
    (
        "Input",
        "units_with_sk_share",
        SHARE,
        _("IPSM units with their SK"),
        _(
            "IPSM units in R with an SK pembentukan (number and date) dated by the end of P ÷ IPSM units "
            "in R."
        ),
    ),
    (
        "Input",
        "psm_with_valid_sk_share",
        SHARE,
        _("Active PSM with a valid SK"),
        _(
            "PSM of the units in R active on the last day of P whose SK penetapan (number and date, dated by "
            "then) is valid on that day (no end date, or an end on or after it) ÷ PSM active that day."
        ),
    ),
    (
        "Proses",
        "meetings_held",
        COUNT,
        _("IPSM meetings held"),
        _("Number of meetings held in P by the IPSM units in R and by the IPSM forums of R and inside it."),
    ),
    (
        "Proses",
        "follow_ups_done_share",
        SHARE,
        _("Meeting decisions followed up"),
        _("Follow-ups of those meetings due in P and marked done ÷ follow-ups due in P."),
    ),
    (
        "Proses",
        "programme_realised_share",
        SHARE,
        _("Work programme realised"),
        _(
            "Activities of the work programmes of the IPSM units in R planned for a month of P and realised "
            "by the last day of P ÷ activities planned for the months of P."
        ),
    ),
    (
        "Output",
        "partner_referrals",
        COUNT,
        _("Referrals to partners"),
        _("Referrals made in P, of cases in R, to an institution chosen from the partner directory."),
    ),
    (
        "Output",
        "partner_referrals_served_share",
        SHARE,
        _("Referrals to partners served"),
        _("Those referrals whose outcome is Served ÷ those referrals."),
    ),
]

LEVELS = ("Input", "Proses", "Output", "Outcome", "Impact")
DEFINITIONS.sort(key=lambda definition: LEVELS.index(definition[0]))  # stable: each level keeps its order

# Each figure in a plain sentence: %(value)s is the figure as shown, %(region)s the region's name and
# %(period)s the period (the exact rule is the formula above, one click away on the page).
SENTENCES = {
    "events_held": _("In %(period)s, %(value)s training events were held for the PSM of %(region)s."),
    "budget": _("Those events had a budget of %(value)s in all."),
    "speakers": _("%(value)s different speakers taught at those events."),
    "psm_invited": _(
        "Those events had %(value)s participants from %(region)s (a PSM at two events counts twice)."
    ),
    "attendance_rate": _(
        "Participants from %(region)s were present on %(value)s of the event days they were invited to."
    ),
    "sessions_held": _("Those events had %(value)s sessions (materi) in all."),
    "reporting_rate": _(
        "The PSM of %(region)s sent %(value)s of the monthly reports expected of them for %(period)s."
    ),
    "reports_on_time": _(
        "%(value)s of the monthly reports expected of the PSM of %(region)s for %(period)s were sent on time."
    ),
    "psm_trained": _(
        "%(value)s PSM of %(region)s were present on every day of at least one of those events."
    ),
    "certificates_issued": _(
        "%(value)s participants from %(region)s received a certificate for those events."
    ),
    "kelurahan_with_trained_psm_share": _(
        "On the last day of %(period)s, %(value)s of the desa/kelurahan of %(region)s had at least one "
        "active PSM who had been trained."
    ),
    "pmks_reached": _(
        "In their approved monthly reports for %(period)s, the PSM of %(region)s reached %(value)s PMKS."
    ),
    "home_visits": _(
        "The approved monthly reports of the PSM of %(region)s for %(period)s record %(value)s home visits."
    ),
    "referrals_made": _(
        "The approved monthly reports of the PSM of %(region)s for %(period)s record %(value)s referrals."
    ),
    "cases_completed": _(
        "%(value)s cases that the PSM of %(region)s accompanied in their approved reports for %(period)s "
        "are now completed."
    ),
    "cases_completed_share": _(
        "%(value)s of the cases that the PSM of %(region)s accompanied in their approved reports for "
        "%(period)s are now completed."
    ),
    "mean_test_gain": _(
        "On average, participants from %(region)s scored %(value)s points more on the post-test than on the "
        "pre-test (a negative figure: fewer)."
    ),
    "open_cases_with_psm_share": _(
        "Of the cases of %(region)s still open on the last day of %(period)s, %(value)s had a "
        "responsible PSM."
    ),
    "cases_by_trained_psm": _(
        "%(value)s cases reported in %(region)s in %(period)s are handled by a PSM who had already been "
        "trained when the case came in."
    ),
    "cases_by_untrained_psm": _(
        "%(value)s cases reported in %(region)s in %(period)s are handled by a PSM who had not yet been "
        "trained when the case came in."
    ),
    "pmks": _("%(value)s PMKS were counted in the desa/kelurahan of %(region)s for %(period)s."),
    "pmks_per_psm": _(
        "On average, each PSM of %(region)s active on the last day of %(period)s had %(value)s PMKS to "
        "follow."
    ),
    "kelurahan_improved": _(
        "The PSM coverage of %(value)s desa/kelurahan of %(region)s got better from %(before)s to %(period)s "
        "(counting those with PMKS figures for both)."
    ),
    "kelurahan_worsened": _(
        "The PSM coverage of %(value)s desa/kelurahan of %(region)s got worse from %(before)s to %(period)s "
        "(counting those with PMKS figures for both)."
    ),
    "active_partners": _("%(value)s partners of %(region)s were active at the end of %(period)s."),
    "contributions_value": _("Partners of %(region)s contributed %(value)s in %(period)s."),
    "meetings_held": _("The IPSM of %(region)s held %(value)s meetings in %(period)s."),
    "follow_ups_done_share": _("%(value)s of the meeting follow-ups due in %(period)s were done."),
    "programme_realised_share": _(
        "%(value)s of the activities the IPSM units of %(region)s planned for %(period)s were realised."
    ),
    "partner_referrals": _("%(value)s cases of %(region)s were referred to partners in %(period)s."),
    "partner_referrals_served_share": _("%(value)s of those referrals to partners were served."),
    "units_with_sk_share": _(
        "%(value)s of the IPSM units of %(region)s had their SK at the end of %(period)s."
    ),
    "psm_with_valid_sk_share": _(
        "%(value)s of the PSM of %(region)s active at the end of %(period)s had a valid SK penetapan."
    ),
}

# Why a figure is missing ("—"), for the period of its column (%(before)s: the period before that one).
UNKNOWN, NO_EVENTS, NO_PARTICIPANTS, NO_ATTENDANCE, NO_SCORES = (
    "unknown", "no_events", "no_participants", "no_attendance", "no_scores",
)  # fmt: skip
NO_KELURAHAN, NO_OPEN_CASES, NO_PMKS, NO_ACTIVE_PSM = "no_kelurahan", "no_open_cases", "no_pmks", "no_active"
NO_PMKS_BEFORE, NO_COMMON_PMKS = "no_pmks_before", "no_common_pmks"
NO_REPORTS_EXPECTED, NO_CASES_ACCOMPANIED = "no_reports_expected", "no_cases_accompanied"
NO_FOLLOW_UPS, NO_PARTNER_REFERRALS = "no_follow_ups", "no_partner_referrals"
NO_UNITS = "no_units"
NO_PROGRAMME = "no_programme"
REASONS = {
    UNKNOWN: _("No figure for %(period)s."),
    NO_EVENTS: _("No training event was held for %(region)s in %(period)s."),
    NO_PARTICIPANTS: _("No participant from %(region)s took part in the events of %(period)s."),
    NO_ATTENDANCE: _("No attendance has been recorded for the events of %(period)s yet."),
    NO_SCORES: _("No participant from %(region)s has both a pre-test and a post-test score in %(period)s."),
    NO_KELURAHAN: _("%(region)s has no desa/kelurahan."),
    NO_OPEN_CASES: _("No case of %(region)s was open on the last day of %(period)s."),
    NO_PMKS: _("No PMKS figures have been entered for %(region)s for %(period)s yet."),
    NO_ACTIVE_PSM: _("No PSM of %(region)s was active on the last day of %(period)s."),
    NO_PMKS_BEFORE: _("No PMKS figures for %(before)s, the period to compare with, have been entered yet."),
    NO_COMMON_PMKS: _("No desa/kelurahan of %(region)s has PMKS figures for both %(before)s and %(period)s."),
    NO_REPORTS_EXPECTED: _(
        "No PSM of %(region)s was expected to send a monthly report for %(period)s (none was active, or "
        "the period has not begun)."
    ),
    NO_CASES_ACCOMPANIED: _(
        "No case is listed in the approved monthly reports of the PSM of %(region)s for %(period)s."
    ),
    NO_FOLLOW_UPS: _("No follow-up of an IPSM meeting of %(region)s was due in %(period)s."),
    NO_PARTNER_REFERRALS: _("No case of %(region)s was referred to a partner in %(period)s."),
    NO_UNITS: _("%(region)s has no IPSM unit."),
    NO_PROGRAMME: _("No IPSM unit of %(region)s planned an activity for %(period)s in its work programme."),
}


@dataclass(frozen=True)
class Report:
    levels: list[Level]
    counted_at: datetime.datetime
    stored: bool  # False: counted for this request (a period not over yet is always counted live)


def indicator_report(region_code: str, period: Period, *, region_name: str = "") -> list[Level]:
    """The report of region `region_code` for `period`, each indicator with the previous period beside it."""
    return _levels(_figures(region_code, period), period, region_name)


def counted_indicator_report(
    region_code: str, period: Period, *, recount: bool = False, region_name: str = ""
) -> Report:
    """indicator_report() of a finished period as counted at most REPORT_MAX_AGE ago (or now, with
    `recount`), with the time; a period not over yet is counted for every request, as people still record it.

    A kab/kota's report reads its members' and cases' whole history, about half a second of database time:
    the figures are kept in the cache (PostgreSQL, shared by every worker) so that looking again, or
    downloading what was just seen, does not count again.
    """
    if period.end >= timezone.localdate():
        return Report(
            _levels(_figures(region_code, period), period, region_name), timezone.now(), stored=False
        )
    key = f"indicators:{FIGURES_VERSION}:{region_code}:{period.key}"
    stored = None if recount else cache.get(key)
    if stored is None:
        stored = {"figures": _figures(region_code, period), "counted_at": timezone.now()}
        cache.set(key, stored, REPORT_MAX_AGE.total_seconds())
    return Report(_levels(stored["figures"], period, region_name), stored["counted_at"], stored=True)


def _figures(region_code: str, period: Period) -> dict:
    periods = {CURRENT: period, PREVIOUS: period.previous}
    return {
        **_training_figures(region_code, periods),
        **_coverage_figures(region_code, periods),
        **_case_figures(region_code, periods),
        **_pmks_figures(region_code, periods),
        **_coverage_change_figures(region_code, period),
        **_report_figures(region_code, periods),
        **_institution_figures(region_code, periods),
    }


def _levels(figures: dict, period: Period, region_name: str) -> list[Level]:
    return [
        Level(
            label=level,
            indicators=[
                Indicator(
                    key,
                    name,
                    formula,
                    kind,
                    figures[key, CURRENT],
                    figures[key, PREVIOUS],
                    period=period,
                    region_name=region_name,
                    why_current=_why_missing(figures, key, CURRENT),
                    why_previous=_why_missing(figures, key, PREVIOUS),
                )
                for level_of, key, kind, name, formula in DEFINITIONS
                if level_of == level
            ],
        )
        for level in LEVELS
    ]


def _why_missing(figures: dict, key: str, tag: str) -> str:
    """Why figure `key` of column `tag` is None (a key of REASONS), from the other figures; "" if it is
    not."""
    if figures[key, tag] is not None:
        return ""
    if (key, tag, "why") in figures:  # said by the function that counted it
        return figures[key, tag, "why"]
    if key in ("attendance_rate", "mean_test_gain"):
        if not figures.get(("events_held", tag)):
            return NO_EVENTS
        if not figures.get(("psm_invited", tag)):
            return NO_PARTICIPANTS
        return NO_ATTENDANCE if key == "attendance_rate" else NO_SCORES
    if key == "pmks_per_psm":
        return NO_PMKS if figures.get(("pmks", tag)) is None else NO_ACTIVE_PSM
    reasons = {
        "kelurahan_with_trained_psm_share": NO_KELURAHAN,
        "open_cases_with_psm_share": NO_OPEN_CASES,
        "pmks": NO_PMKS,
    }
    return reasons.get(key, UNKNOWN)


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _ratio(part: int | None, whole: int | None) -> float | None:
    return None if not whole else part / whole


def _training_figures(code: str, periods: dict[str, Period]) -> dict:
    """Input, Proses and most of Output: four queries (events, sessions, participants, attendance)."""
    events = Event.objects.of_region(code)
    participants = Participant.objects.filter(event__in=events).within(code)
    attended = Exists(Participant.objects.attended().filter(pk=OuterRef("pk")))
    both_scores = Q(pre_test_score__isnull=False, post_test_score__isnull=False)
    event_rows, session_rows, participant_rows, attendance_rows = {}, {}, {}, {}
    for tag, period in periods.items():
        event_rows |= {
            f"events_{tag}": Count("pk", filter=_in(period, "starts_on")),
            f"budget_{tag}": Sum("budget", filter=_in(period, "starts_on"), default=0),
        }
        in_period = _in(period, "event__starts_on")
        session_rows |= {
            f"sessions_{tag}": Count("pk", filter=in_period),
            f"speakers_{tag}": Count("speaker", distinct=True, filter=in_period),
        }
        participant_rows |= {
            f"invited_{tag}": Count("pk", filter=in_period),
            f"certificates_{tag}": Count("certificate_number", filter=in_period),
            f"trained_{tag}": Count("member", distinct=True, filter=in_period & Q(attended)),
            f"gain_{tag}": Avg(F("post_test_score") - F("pre_test_score"), filter=in_period & both_scores),
        }
        in_period = _in(period, "participant__event__starts_on")
        attendance_rows |= {
            f"rows_{tag}": Count("pk", filter=in_period),
            f"present_{tag}": Count("pk", filter=in_period & Q(status=AttendanceStatus.HADIR)),
        }
    event_rows = events.aggregate(**event_rows)
    session_rows = Session.objects.filter(event__in=events).aggregate(**session_rows)
    participant_rows = participants.aggregate(**participant_rows)
    attendance_rows = Attendance.objects.filter(participant__in=participants).aggregate(**attendance_rows)
    figures = {}
    for tag in periods:
        figures |= {
            ("events_held", tag): event_rows[f"events_{tag}"],
            ("budget", tag): event_rows[f"budget_{tag}"],
            ("speakers", tag): session_rows[f"speakers_{tag}"],
            ("psm_invited", tag): participant_rows[f"invited_{tag}"],
            ("attendance_rate", tag): _ratio(
                attendance_rows[f"present_{tag}"], attendance_rows[f"rows_{tag}"]
            ),
            ("sessions_held", tag): session_rows[f"sessions_{tag}"],
            ("psm_trained", tag): participant_rows[f"trained_{tag}"],
            ("certificates_issued", tag): participant_rows[f"certificates_{tag}"],
            ("mean_test_gain", tag): participant_rows[f"gain_{tag}"],
        }
    return figures


def _trained_by(day: datetime.date | OuterRef, member: OuterRef) -> Exists:
    """The member had been present every day at an event that started on or before `day`."""
    return Exists(Participant.objects.attended().filter(member=member, event__starts_on__lte=day))


def _coverage_figures(code: str, periods: dict[str, Period]) -> dict:
    """The share of desa/kelurahan with a trained PSM active at the end of each period: one query."""
    rows = {"kelurahan": Count("pk")}
    for tag, period in periods.items():
        trained_active = (
            Member.objects.filter(unit__region_id=OuterRef("code"))
            .active_on(period.end)
            .filter(_trained_by(period.end, OuterRef("pk")))
        )
        rows[f"trained_{tag}"] = Count("pk", filter=Q(Exists(trained_active)))
    rows = Region.objects.villages().within(code).aggregate(**rows)
    return {
        ("kelurahan_with_trained_psm_share", tag): _ratio(rows[f"trained_{tag}"], rows["kelurahan"])
        for tag in periods
    }


def _status_on(day: datetime.date):
    """A case's status on `day`: the last step up to that day, else what the first later step moved it
    from, else (no history around that day) its status today."""
    case = OuterRef("pk")
    last_step = CaseStatusChange.objects.filter(case=case, changed_on__lte=day).order_by(
        "-changed_on", "-recorded_at"
    )
    next_step = CaseStatusChange.objects.filter(case=case, changed_on__gt=day).order_by(
        "changed_on", "recorded_at"
    )
    return Coalesce(
        Subquery(last_step.values("new_status")[:1]),
        NullIf(Subquery(next_step.values("old_status")[:1]), Value("")),
        F("status"),
    )


def _case_figures(code: str, periods: dict[str, Period]) -> dict:
    """Open cases with a PSM at the end of each period, cases by trained/untrained PSM: one query."""
    latest_end = max(period.end for period in periods.values())
    # The statuses and the PSM's training are annotations: the aggregate then runs over a subquery of them.
    cases = (
        Case.objects.within(code)
        .filter(reported_on__lte=latest_end)
        .annotate(psm_trained=_trained_by(OuterRef("reported_on"), OuterRef("psm")))
    )
    with_psm = Q(psm__isnull=False)
    trained = Q(psm_trained=True)
    rows = {}
    for tag, period in periods.items():
        cases = cases.annotate(**{f"status_{tag}": _status_on(period.end)})
        is_open = Q(reported_on__lte=period.end, **{f"status_{tag}__in": OPEN_STATUSES})
        reported = _in(period, "reported_on") & with_psm
        rows |= {
            f"open_{tag}": Count("pk", filter=is_open),
            f"open_with_psm_{tag}": Count("pk", filter=is_open & with_psm),
            f"by_trained_{tag}": Count("pk", filter=reported & trained),
            f"by_untrained_{tag}": Count("pk", filter=reported & ~trained),
        }
    rows = cases.aggregate(**rows)
    figures = {}
    for tag in periods:
        figures |= {
            ("open_cases_with_psm_share", tag): _ratio(rows[f"open_with_psm_{tag}"], rows[f"open_{tag}"]),
            ("cases_by_trained_psm", tag): rows[f"by_trained_{tag}"],
            ("cases_by_untrained_psm", tag): rows[f"by_untrained_{tag}"],
        }
    return figures


def _pmks_figures(code: str, periods: dict[str, Period]) -> dict:
    """PMKS counts and PSM active at the end of each period: two queries."""
    pmks, active = {}, {}
    for tag, period in periods.items():
        pmks[tag] = Sum("count", filter=Q(year=period.year, semester=period.semester))
        active_then = Member.objects.filter(pk=OuterRef("pk")).active_on(period.end)
        active[tag] = Count("pk", filter=Q(Exists(active_then)))
    pmks = PmksCount.objects.filter(kelurahan__code__startswith=code).aggregate(**pmks)
    active = Member.objects.filter(unit__region__code__startswith=code).aggregate(**active)
    figures = {}
    for tag in periods:
        per_psm = None if pmks[tag] is None or not active[tag] else Decimal(pmks[tag]) / active[tag]
        figures |= {("pmks", tag): pmks[tag], ("pmks_per_psm", tag): per_psm}
    return figures


def _coverage_change_figures(code: str, period: Period) -> dict:
    """Desa/kelurahan whose coverage status went up or down from the period before (and, for the previous
    column, from the period before that): one query per period, the statuses compared here. Only kelurahan
    with PMKS figures for both periods are compared (without them there is no status); when none has, the
    figures are missing, with the reason."""
    periods = [period, period.previous, period.previous.previous]
    current, previous, earlier = (_statuses(code, p) for p in periods)
    pairs = {CURRENT: (current, previous), PREVIOUS: (previous, earlier)}
    figures = {}
    for tag, (later, before) in pairs.items():
        # A kelurahan added between the queries has no earlier status: it is not compared.
        compared = [
            (status, before[code])
            for code, status in later.items()
            if status != CoverageStatus.NO_DATA
            and before.get(code, CoverageStatus.NO_DATA) != CoverageStatus.NO_DATA
        ]
        for key, changed in (("kelurahan_improved", _better), ("kelurahan_worsened", _worse)):
            figures[key, tag] = sum(changed(*pair) for pair in compared) if compared else None
            if not compared:
                figures[key, tag, "why"] = _why_not_compared(later, before)
    return figures


def _better(later: str, before: str) -> bool:
    return later > before  # CoverageStatus: no PSM < PSM short < enough PSM


def _worse(later: str, before: str) -> bool:
    return later < before


def _why_not_compared(later: dict[str, str], before: dict[str, str]) -> str:
    if all(status == CoverageStatus.NO_DATA for status in later.values()):
        return NO_PMKS
    if all(status == CoverageStatus.NO_DATA for status in before.values()):
        return NO_PMKS_BEFORE
    return NO_COMMON_PMKS


def _statuses(code: str, period: Period) -> dict[str, str]:
    """Each kelurahan's coverage status at the end of `period` (PSM active then, the period's PMKS)."""
    kelurahan = Kelurahan.objects.within(code).with_coverage_counts(period, as_of=period.end)
    counts = ["active_psm", "pmks", "min_active_psm", "max_pmks_per_psm"]
    return dict(kelurahan.counted_once(counts).with_coverage_results().values_list("code", "coverage_status"))


def _months(period: Period, today: datetime.date) -> list[datetime.date]:
    """The first days of the months of `period` that have ended (up to cases.reporting.last_whole_month):
    the month under way is left out; a month that has ended counts even before its due day has passed."""
    months, month = [], period.start
    while month <= min(period.end, reporting.last_whole_month(today)):
        months.append(month)
        month = reporting.add_months(month, 1)
    return months


def _report_figures(code: str, periods: dict[str, Period]) -> dict:
    """From the PSM's monthly reports: reporting rate and timeliness (cases.reporting), PMKS reached, home
    visits and referrals, cases accompanied to completion; only approved reports count, but for the rates.
    Four queries."""
    today = timezone.localdate()
    months = {tag: _months(period, today) for tag, period in periods.items()}
    every_month = sorted({month for tag in periods for month in months[tag]})
    rates = reporting.monthly_rates(Member.objects.within(code), every_month, key_length=0, today=today)
    reports = MonthlyReport.objects.approved().within(code)
    reached = reports.people_reached(periods)
    activity_rows, case_rows = {}, {}
    for tag, period in periods.items():
        in_period = _in(period, "report__month")
        for key, kind in (
            ("visits", ReportActivityKind.KUNJUNGAN),
            ("referrals", ReportActivityKind.RUJUKAN),
        ):
            activity_rows[f"{key}_{tag}"] = Sum("count", filter=in_period & Q(kind=kind), default=0)
        in_period = _in(period, "monthlyreport__month")
        case_rows |= {
            f"listed_{tag}": Count("case", distinct=True, filter=in_period),
            f"completed_{tag}": Count(
                "case", distinct=True, filter=in_period & Q(case__status=CaseStatus.SELESAI)
            ),
        }
    activity_rows = ReportActivity.objects.filter(report__in=reports).aggregate(**activity_rows)
    listed = MonthlyReport.cases.through.objects.filter(monthlyreport__in=reports)
    case_rows = listed.aggregate(**case_rows)
    figures = {}
    for tag in periods:
        months_rates = reporting.series(rates, months[tag])
        expected = sum(rate.expected for rate in months_rates)
        figures |= {
            ("reporting_rate", tag): _ratio(sum(rate.submitted for rate in months_rates), expected),
            ("reports_on_time", tag): _ratio(sum(rate.on_time for rate in months_rates), expected),
            ("pmks_reached", tag): reached[tag],
            ("home_visits", tag): activity_rows[f"visits_{tag}"],
            ("referrals_made", tag): activity_rows[f"referrals_{tag}"],
            ("cases_completed", tag): case_rows[f"completed_{tag}"],
            ("cases_completed_share", tag): _ratio(case_rows[f"completed_{tag}"], case_rows[f"listed_{tag}"]),
        }
        if not expected:
            figures["reporting_rate", tag, "why"] = figures["reports_on_time", tag, "why"] = (
                NO_REPORTS_EXPECTED
            )
        if not case_rows[f"listed_{tag}"]:
            figures["cases_completed_share", tag, "why"] = NO_CASES_ACCOMPANIED
    return figures


def report_years(region_code: str) -> list[int]:
    """Years in which the region had events or PMKS figures, newest first (two queries)."""
    event_years = {day.year for day in Event.objects.of_region(region_code).dates("starts_on", "year")}
    pmks_years = set(
        PmksCount.objects.filter(kelurahan__code__startswith=region_code)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(event_years | pmks_years, reverse=True)


def _partners_of(code: str):
    """The partners a region counts: its kab/kota's, or for a kecamatan and below those serving it."""
    partners = Partner.objects.within(code)
    return partners.filter(kecamatan_served__code=code[:8]) if len(code) >= 8 else partners


def _institution_figures(code: str, periods: dict[str, Period]) -> dict:
    """Legal standing (units with SK, PSM with a valid SK), meetings and their follow-ups, partners, their
    contributions, referrals to them, the work programmes' activities: eight queries."""
    meetings, follow_ups, partners, given, referrals, planned = {}, {}, {}, {}, {}, {}
    for tag, period in periods.items():
        months = Q(programme__year=period.start.year, month__range=(period.start.month, period.end.month))
        planned[f"planned_{tag}"] = Count("pk", filter=months)
        planned[f"realised_{tag}"] = Count("pk", filter=months & Q(realised_on__lte=period.end))
        meetings[tag] = Count("pk", filter=_in(period, "held_on"))
        due = _in(period, "due_on")
        follow_ups[f"due_{tag}"] = Count("pk", filter=due)
        follow_ups[f"done_{tag}"] = Count("pk", filter=due & Q(done_on__isnull=False))
        in_force = (Q(mou_starts_on__isnull=True) | Q(mou_starts_on__lte=period.end)) & (
            Q(mou_ends_on__isnull=True) | Q(mou_ends_on__gte=period.end)
        )
        partners[tag] = Count("pk", filter=in_force & Q(is_active=True), distinct=True)
        given[tag] = Sum("value", filter=_in(period, "given_on"), default=0)
        made = _in(period, "referred_on")
        referrals[f"made_{tag}"] = Count("pk", filter=made)
        referrals[f"served_{tag}"] = Count("pk", filter=made & Q(outcome=ReferralOutcome.DILAYANI))
    psm, units = {}, {"units": Count("pk")}
    for tag, period in periods.items():
        active_then = Q(Exists(Member.objects.filter(pk=OuterRef("pk")).active_on(period.end)))
        psm[f"active_{tag}"] = Count("pk", filter=active_then)
        valid = member_sk_valid_q(period.end) & Q(sk_date__lte=period.end)
        psm[f"valid_{tag}"] = Count("pk", filter=active_then & valid)
        units[f"units_sk_{tag}"] = Count("pk", filter=unit_sk_q() & Q(sk_date__lte=period.end))
    legal = Member.objects.within(code).aggregate(**psm) | Unit.objects.within(code).aggregate(**units)
    meetings = Meeting.objects.within(code).aggregate(**meetings)
    follow_ups = FollowUp.objects.filter(meeting__in=Meeting.objects.within(code)).aggregate(**follow_ups)
    partners_of = _partners_of(code)
    partners = partners_of.aggregate(**partners)
    given = Contribution.objects.filter(partner__in=partners_of.values("pk")).aggregate(**given)
    referred = Referral.objects.filter(partner__isnull=False, case__kelurahan__code__startswith=code)
    referrals = referred.aggregate(**referrals)
    planned = ProgrammeActivity.objects.within(code).aggregate(**planned)
    figures = {}
    for tag in periods:
        figures |= {
            ("units_with_sk_share", tag): _ratio(legal[f"units_sk_{tag}"], legal["units"]),
            ("psm_with_valid_sk_share", tag): _ratio(legal[f"valid_{tag}"], legal[f"active_{tag}"]),
            ("active_partners", tag): partners[tag],
            ("contributions_value", tag): given[tag],
            ("meetings_held", tag): meetings[tag],
            ("follow_ups_done_share", tag): _ratio(follow_ups[f"done_{tag}"], follow_ups[f"due_{tag}"]),
            ("programme_realised_share", tag): _ratio(planned[f"realised_{tag}"], planned[f"planned_{tag}"]),
            ("partner_referrals", tag): referrals[f"made_{tag}"],
            ("partner_referrals_served_share", tag): _ratio(
                referrals[f"served_{tag}"], referrals[f"made_{tag}"]
            ),
        }
        if not legal["units"]:
            figures["units_with_sk_share", tag, "why"] = NO_UNITS
        if not legal[f"active_{tag}"]:
            figures["psm_with_valid_sk_share", tag, "why"] = NO_ACTIVE_PSM
        if not follow_ups[f"due_{tag}"]:
            figures["follow_ups_done_share", tag, "why"] = NO_FOLLOW_UPS
        if not planned[f"planned_{tag}"]:
            figures["programme_realised_share", tag, "why"] = NO_PROGRAMME
        if not referrals[f"made_{tag}"]:
            figures["partner_referrals_served_share", tag, "why"] = NO_PARTNER_REFERRALS
    return figures
