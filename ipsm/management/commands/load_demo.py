from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ipsm.devtools.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load demo data for Kota Magelang and Kab. Temanggung (DEBUG only); a second run changes nothing."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                _("load_demo only runs with DEBUG on: it creates accounts with a published password.")
            )
        report = load_demo()
        if report.created_anything:
            self.stdout.write(
                _(
                    "Demo data created: %(regions)d regions, %(users)d users, %(units)d units, "
                    "%(members)d members, %(status_changes)d status changes, %(board_positions)d board "
                    "positions, %(transfers)d transfers, %(pmks_counts)d PMKS counts, %(coverage_targets)d "
                    "coverage targets, %(cases)d cases, %(training_events)d training events, "
                    "%(training_sessions)d sessions, %(speakers)d speakers, %(participants)d participants, "
                    "%(attendance)d attendance records, %(monthly_reports)d monthly reports, "
                    "%(report_steps)d report steps, %(meetings)d meetings, %(meeting_attendance)d meeting "
                    "attendance records, %(meeting_decisions)d decisions, %(follow_ups)d follow-ups, "
                    "%(board_decrees)d board SKs, %(sk_details)d SK details completed, %(partners)d "
                    "partners, %(contributions)d contributions, %(referral_partners)d referrals linked to a "
                    "partner."
                )
                % vars(report)
            )
            self.stdout.write(
                _(
                    "Work programmes: %(programmes)d, with %(programme_activities)d planned activities, "
                    "%(realised_activities)d of them realised."
                )
                % vars(report)
            )
        else:
            self.stdout.write(_("Demo data already loaded; nothing to do."))
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
        rows = [(_("username"), _("role"), _("scope"))]
        rows += [(login.username, login.role, login.scope) for login in demo_logins()]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {scope}")
