"""What every import of the registry shares: the importing user's scope and the kelurahan lookup.

The engine (ipsm.lib.imports) knows nothing of regions or scopes; the apps' importers build on this.
"""

from django.utils.translation import gettext as _

from ipsm.lib.imports import Importer
from ipsm.lib.spreadsheets import CellError, normalise_header
from members.access import Scope, scope_of
from members.models import Region


class ScopedImporter(Importer):
    """An importer acting within its user's scope; without a user (the command line, an administrator on the
    server) within everything."""

    def __init__(self, *, user, options: dict | None = None):
        super().__init__(user=user, options=options)
        self.scope = scope_of(user) if user is not None else Scope(everything=True)


# Matching kelurahan/desa by Kemendagri code or by name within the user's scope.


def _name_key(name: str) -> str:
    key = normalise_header(name)
    for prefix in ("kelurahan ", "kel ", "desa ", "ds ", "kecamatan ", "kec "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class KelurahanLookup:
    """The kelurahan/desa of the importer's scope, loaded once (83,762 at most: a few MB) and matched by
    code (`33.71.03.1003` or `3371031003`) or by name, ignoring case, spacing and a Kel./Desa prefix."""

    def __init__(self, scope: Scope):
        villages = Region.objects.villages()
        if scope.unit_id:
            villages = villages.filter(code=scope.unit_region_code)
        elif not scope.everything:
            villages = villages.filter(code__startswith=scope.region_code)
        # Both spellings of a code map to the dotted one: "3371031003" and "33.71.03.1003".
        self.codes: dict[str, str] = {}
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        for code, name, kecamatan in villages.values_list("code", "name", "parent__name").iterator(5000):
            self.codes[code] = self.codes[code.replace(".", "")] = code
            self.by_name.setdefault(_name_key(name), []).append((code, _name_key(kecamatan or "")))

    def find(self, value, kecamatan=None) -> str:
        """The kelurahan's code, or CellError saying why not."""
        text = " ".join(str(value or "").split())
        if not text:
            raise CellError(_("The kelurahan/desa is missing."))
        compact = text.replace(".", "").replace(" ", "")
        if compact.isdigit():
            if compact in self.codes:
                return self.codes[compact]
            raise CellError(
                _("Kelurahan/desa code %(code)s is not in your area (or does not exist).") % {"code": text}
            )
        candidates = self.by_name.get(_name_key(text), [])
        if kecamatan:  # "Kec. Magelang Tengah" or "Magelang Tengah"
            candidates = [c for c in candidates if c[1] == _name_key(str(kecamatan))] or candidates
        if len(candidates) == 1:
            return candidates[0][0]
        if not candidates:
            raise CellError(_("Kelurahan/desa “%(name)s” was not found in your area.") % {"name": text})
        raise CellError(
            _("There are %(count)d kelurahan/desa named “%(name)s” in your area: write the Kemendagri code.")
            % {"count": len(candidates), "name": text}
        )
