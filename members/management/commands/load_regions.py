from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from members.regions import load_regions

DEMO_PREFIXES = ["33.71", "33.23"]


class Command(BaseCommand):
    help = (
        "Load Kemendagri regions by code prefix (default: the demo's 33.71 and 33.23); --all for the nation."
    )

    def add_arguments(self, parser):
        parser.add_argument("prefixes", nargs="*", help="region codes such as 33.71 (ancestors come too)")
        parser.add_argument("--all", action="store_true", help="all 91,599 regions of Indonesia")

    def handle(self, *args, prefixes, all, **options):
        if all and prefixes:
            raise CommandError(_("Give region codes or --all, not both."))
        for prefix in prefixes:
            if not all and not _looks_like_code(prefix):
                raise CommandError(
                    _("%(code)s is not a Kemendagri region code such as 33.71.") % {"code": prefix}
                )
        chosen = [] if all else (prefixes or DEMO_PREFIXES)
        report = load_regions(chosen)
        self.stdout.write(
            _("Regions %(scope)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "scope": ", ".join(chosen) or _("all of Indonesia"),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )


def _looks_like_code(text: str) -> bool:
    parts = text.split(".")
    widths = [2, 2, 2, 4]
    return 1 <= len(parts) <= 4 and all(
        p.isdigit() and len(p) == w for p, w in zip(parts, widths, strict=False)
    )
