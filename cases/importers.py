"""PMKS counts import, in the two layouts offices keep (ipsm.lib.imports does the reading and the batches).

- wide, as DTKS recaps look: one row per kelurahan, one column per category (its name, number or
  abbreviation), a Jumlah/Total column ignored;
- long: one row per kelurahan and category, with the columns Kelurahan, Kategori and Jumlah.

The period, the source and the date of the data are chosen on upload (or given to the command), not read
from the file. A blank cell means "no figure": a figure already stored stays as it is; 0 is a figure.
"""

import datetime
import re

from django.utils import timezone
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.models import PmksCategory, PmksCount, PmksSource
from cases.periods import Period, parse_period
from cases.pmks_forms import MAX_COUNT
from ipsm.lib.imports import Column, Row, column_letter
from ipsm.lib.spreadsheets import CellError, FileRefused, normalise_header, parse_count, parse_text
from ipsm.models import ImportKind, RowOutcome
from members.importing import KelurahanLookup, ScopedImporter
from members.models import Region

KELURAHAN = Column(
    "kelurahan",
    "Kelurahan",
    (
        "Desa/Kelurahan",
        "Kelurahan/Desa",
        "Desa",
        "Kel/Desa",
        "Nama Kelurahan",
        "Nama Desa",
        "Nama Desa/Kelurahan",
        "Nama Kelurahan/Desa",
    ),
    note=gettext_lazy("The Kemendagri code (33.71.03.1003) or the name of the kelurahan/desa."),
)
KELURAHAN_CODE = Column(
    "kelurahan_code",
    "Kode Kelurahan",
    ("Kode Wilayah", "Kode Desa", "Kode Desa/Kelurahan", "Kode Kelurahan/Desa", "Kode Kemendagri", "Kode"),
    note=gettext_lazy("Optional, beside a Kelurahan column of names: the Kemendagri code is used first."),
)
KECAMATAN = Column(
    "kecamatan",
    "Kecamatan",
    ("Kec", "Nama Kecamatan"),
    note=gettext_lazy("Optional: tells apart two kelurahan/desa of the same name."),
)
CATEGORY = Column(
    "category",
    "Kategori",
    (
        "Kategori PMKS",
        "Kategori PPKS",
        "Jenis PMKS",
        "Jenis PPKS",
        "PMKS",
        "PPKS",
        "No Kategori",
        "Nomor Kategori",
        "Kode Kategori",
    ),
    note=gettext_lazy("Long layout: the category's name or number (1-26)."),
)
COUNT = Column(
    "count",
    "Jumlah",
    ("Jml", "Total", "Jumlah PMKS", "Jumlah PPKS", "Jumlah Jiwa"),
    note=gettext_lazy("Long layout: how many people; blank leaves a stored figure as it is."),
)

# Columns of a wide recap that carry no figure of their own.
IGNORED_IN_WIDE = {
    normalise_header(text)
    for text in (
        "No",
        "No.",
        "No Urut",
        "Nomor",
        "Nomor Urut",
        "Keterangan",
        "Ket",
        "Catatan",
        "Kabupaten/Kota",
        "Kab/Kota",
        "Kabupaten",
        "Kota",
        "Provinsi",
        "Jumlah",
        "Jml",
        "Total",
        "Jumlah Total",
        "Jumlah PMKS",
        "Total PMKS",
        "Jumlah PPKS",
        "Total PPKS",
    )
}

# Names the categories had before Permensos 08/2012 and 5/2019, still found in older recaps.
FORMER_NAMES = {
    5: ("Anak Cacat",),
    8: ("Lansia Terlantar",),
    9: ("Penyandang Cacat",),
    15: ("Bekas Narapidana", "Mantan Narapidana"),
    17: ("Korban NAPZA",),
    23: ("Wanita Rawan Sosial Ekonomi", "WRSE"),
}

_TRAILING_PARENTHESES = re.compile(r"\([^()]*\)\s*$")
_NUMBERED = re.compile(r"(?:(?:no|nomor|kategori|pmks|ppks|kode) )?(\d{1,2})(?: (.+))?")


class CategoryIndex:
    """Finds a category from what a header or a cell says: its name (case, spacing and punctuation
    ignored, a trailing "(ABT)" or "(jiwa)" dropped), its abbreviation, a former name, its number ("1",
    "No. 1"), or a number followed by the name ("1. Anak Balita Terlantar", which must agree).
    Retired categories are found too, so that a figure for one can be refused by name."""

    def __init__(self, categories: list[PmksCategory]):
        self.by_number = {category.number: category for category in categories}
        numbers: dict[str, set[int]] = {}
        for category in categories:
            names = (category.name, category.abbreviation, *FORMER_NAMES.get(category.number, ()))
            for name in names:
                if name:
                    numbers.setdefault(normalise_header(name), set()).add(category.number)
        # A spelling that could mean two categories means neither.
        self.by_key = {key: found.pop() for key, found in numbers.items() if len(found) == 1}

    def find(self, text: str) -> PmksCategory | None:
        text = str(text).strip()
        key = normalise_header(_TRAILING_PARENTHESES.sub("", text)) or normalise_header(text)
        if key in self.by_key:
            return self.by_number[self.by_key[key]]
        match = _NUMBERED.fullmatch(key)
        if match is None:
            return None
        number, name = int(match[1]), match[2]
        if name is not None and self.by_key.get(name) != number:
            return None
        return self.by_number.get(number)


def _parse_figure(value) -> int | None:
    if isinstance(value, str) and value.strip() in ("-", "–", "—"):
        raise CellError(
            _("A dash is not a figure: write 0 when there are none, or leave the cell empty when unknown.")
        )
    count = parse_count(value)
    if count is not None and count > MAX_COUNT:
        raise CellError(_("At most %(max)d: check the figure.") % {"max": MAX_COUNT})
    return count


class PmksCountImporter(ScopedImporter):
    kind = ImportKind.PMKS_COUNTS
    # As the PMKS grid (cases.views.pmks): staff hold it, coordinators and read-only users do not.
    permission = "cases.change_pmkscount"
    template_name = "template-impor-pmks"
    columns = [KELURAHAN, KELURAHAN_CODE, KECAMATAN, CATEGORY, COUNT]

    def __init__(self, *, user, options=None):
        super().__init__(user=user, options=options)
        self.wide = True
        self.has_code_column = False
        self.category_columns: list[tuple[Column, PmksCategory]] = []
        self.seen: dict[tuple, int] = {}  # (kelurahan[, category]) -> first row, to catch repeats

    # The template: Kelurahan, Kecamatan and one column per category in use (the wide layout).

    @classmethod
    def template_columns(cls, user) -> list[Column]:
        return [KELURAHAN, KECAMATAN, *cls._category_columns()]

    @staticmethod
    def _category_columns() -> list[Column]:
        return [
            Column(
                f"category_{category.number}",
                category.name,
                (f"{category.number}. {category.name}",)
                + ((category.abbreviation,) if category.abbreviation else ()),
                note=gettext_lazy("PMKS category %(number)d: a whole number; blank = no figure.")
                % {"number": category.number},
            )
            for category in PmksCategory.objects.filter(is_active=True)
        ]

    @classproperty
    def example_rows(cls) -> list[list]:
        count = PmksCategory.objects.filter(is_active=True).count()
        return [["33.71.03.1003", "Magelang Tengah", *((n * 7) % 23 for n in range(count))]]

    def required_columns(self) -> list[Column]:
        # A column of codes may stand in for the column of names.
        required = [] if self.has_code_column else [KELURAHAN]
        return required if self.wide else [*required, CATEGORY, COUNT]

    # The header: options first, then which layout.

    def _load(self) -> None:
        today = timezone.localdate()
        self.period: Period | None = parse_period(str(self.options.get("period") or ""), today)
        if self.period is None:
            raise FileRefused(_("Write a year such as 2024 or a semester such as 2024-S1."))
        self.source = self.options.get("source")
        if self.source not in PmksSource.values:
            raise FileRefused(_("Choose the source of the data."))
        try:
            self.data_date = datetime.date.fromisoformat(str(self.options.get("data_date")))
        except ValueError:
            raise FileRefused(_("Give the date of the data.")) from None
        if self.data_date > today:
            raise FileRefused(_("The date of the data cannot be in the future."))
        if self.user is not None and not self.user.has_perm(self.permission):
            raise FileRefused(_("You may not import this kind of data."))
        self.categories = CategoryIndex(list(PmksCategory.objects.all()))
        self.kelurahan = KelurahanLookup(self.scope)

    def map_header(self, header: list[str]) -> None:
        self._load()
        self.has_code_column = any(text and KELURAHAN_CODE.matches(text) for text in header)
        if any(text and CATEGORY.matches(text) for text in header):
            self.wide = False
            super().map_header(header)
        else:
            self._map_wide(header)

    def _map_wide(self, header: list[str]) -> None:
        mapping: dict[str, int] = {}
        names: dict[str, str] = {}
        unknown = []
        for index, text in enumerate(header):
            if not text:
                continue
            column = next((c for c in (KELURAHAN, KELURAHAN_CODE, KECAMATAN) if c.matches(text)), None)
            if column is None and normalise_header(text) in IGNORED_IN_WIDE:
                continue
            if column is None:
                category = self.categories.find(text)
                if category is None:
                    unknown.append(f"{column_letter(index)} “{text}”")
                    continue
                column = Column(f"category_{category.number}", text)
                self.category_columns.append((column, category))
                names[column.key] = category.name
            if column.key in mapping:
                raise FileRefused(
                    _("Row 1 has the column “%(column)s” twice (columns %(first)s and %(second)s).")
                    % {
                        "column": names.get(column.key, column.header),
                        "first": column_letter(mapping[column.key]),
                        "second": column_letter(index),
                    }
                )
            mapping[column.key] = index
        if unknown:
            raise FileRefused(
                _(
                    "These columns of row 1 are not understood: %(columns)s. Write each PMKS category's name "
                    "as in the template (or its number), or remove the column."
                )
                % {"columns": "; ".join(unknown)}
            )
        missing = [column.header for column in self.required_columns() if column.key not in mapping]
        if missing:
            raise FileRefused(
                _("Row 1 must hold the column names; missing: %(columns)s. Download the template to compare.")
                % {"columns": ", ".join(missing)}
            )
        if not self.category_columns:
            raise FileRefused(
                _(
                    "Row 1 has no PMKS category columns: write the categories' names as in the template, "
                    "or use the columns Kelurahan, Kategori and Jumlah."
                )
            )
        self.mapping = mapping

    # Rows

    def check_batch(self, rows: list[Row]) -> None:
        for row in rows:
            row.payload = {"kelurahan": self._find_kelurahan(row), "figures": {}}
            if self.wide:
                self._parse_wide(row)
            else:
                self._parse_long(row)
        codes = {row.payload["kelurahan"] for row in rows if row.payload["kelurahan"]}
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        existing = {
            (count.kelurahan_id, count.category_id): count
            for count in PmksCount.objects.for_period(self.period).filter(kelurahan_id__in=codes)
        }
        for row in rows:
            code, category = row.payload["kelurahan"], row.payload.get("category")
            place = (
                f"{names.get(code, '')} ({code})"
                if code
                else parse_text(row.cells.get(KELURAHAN.key) or row.cells.get(KELURAHAN_CODE.key))
            )
            row.label = f"{place}: {category.name}" if category else place
            if not row.has_error:
                self._decide(row, existing)

    def _find_kelurahan(self, row: Row) -> str | None:
        code_cell = parse_text(row.cells.get(KELURAHAN_CODE.key))
        by_code = bool(code_cell) or KELURAHAN.key not in self.mapping
        value = code_cell if by_code else row.cells.get(KELURAHAN.key)
        try:
            return self.kelurahan.find(value, row.cells.get(KECAMATAN.key))
        except CellError as error:
            row.error(KELURAHAN_CODE if by_code else KELURAHAN, error)
            return None

    def _repeat_of(self, row: Row, key: tuple) -> int | None:
        """The earlier row of this file with the same key, if any."""
        first = self.seen.setdefault(key, row.number)
        return first if first != row.number else None

    def _kelurahan_column(self) -> Column:
        return KELURAHAN if KELURAHAN.key in self.mapping else KELURAHAN_CODE

    def _parse_wide(self, row: Row) -> None:
        code = row.payload["kelurahan"]
        if code and (first := self._repeat_of(row, (code,))):
            row.error(
                self._kelurahan_column(),
                _("This kelurahan/desa is already in row %(row)d of this file.") % {"row": first},
            )
        for column, category in self.category_columns:
            count = row.parse(column, _parse_figure)
            if count is not None:
                self._add_figure(row, column, category, count)

    def _parse_long(self, row: Row) -> None:
        text = parse_text(row.cells.get(CATEGORY.key))
        category = self.categories.find(text) if text else None
        if not text:
            row.error(CATEGORY, _("The category is missing."))
        elif category is None:
            row.error(CATEGORY, _("PMKS category not understood: “%(text)s”.") % {"text": text})
        else:
            row.payload["category"] = category
            code = row.payload["kelurahan"]
            if code and (first := self._repeat_of(row, (code, category.pk))):
                row.error(
                    CATEGORY,
                    _("This kelurahan/desa and category are already in row %(row)d of this file.")
                    % {"row": first},
                )
        count = row.parse(COUNT, _parse_figure)
        if category is not None and count is not None:
            self._add_figure(row, CATEGORY, category, count)

    def _add_figure(self, row: Row, column: Column, category: PmksCategory, count: int) -> None:
        if not category.is_active:
            row.error(
                column,
                _("The category “%(name)s” is no longer in use: it cannot receive figures.")
                % {"name": category.name},
            )
            return
        row.payload["figures"][category] = count

    def _decide(self, row: Row, existing: dict) -> None:
        code, figures = row.payload["kelurahan"], row.payload["figures"]
        if not figures:
            row.warn(None, _("No figure in this row: nothing to import."))
            row.outcome = RowOutcome.UNCHANGED
            return
        new, changed, changes = [], [], []
        source_or_date_changed = False
        for category, count in figures.items():
            stored = existing.get((code, category.pk))
            if stored is None:
                new.append((category, count))
                changes.append(f"{category.name}: — → {count}")
            elif (stored.count, stored.source, stored.data_date) != (count, self.source, self.data_date):
                changed.append((stored, count))
                if stored.count != count:
                    changes.append(f"{category.name}: {stored.count} → {count}")
                else:
                    source_or_date_changed = True
        if source_or_date_changed:
            changes.append(_("source or date of the data"))
        if len(new) == len(figures):
            row.outcome, row.changes = RowOutcome.NEW, []
        elif new or changed:
            row.outcome, row.changes = RowOutcome.UPDATED, changes
        else:
            row.outcome = RowOutcome.UNCHANGED
        row.payload = {"kelurahan": code, "new": new, "changed": changed}

    def write_batch(self, rows: list[Row]) -> None:
        reason = _("Imported from %(file)s") % {"file": self.options.get("file_name", "")}
        written = [row.payload for row in rows if row.outcome in (RowOutcome.NEW, RowOutcome.UPDATED)]
        created = [
            PmksCount(
                kelurahan_id=payload["kelurahan"],
                category=category,
                year=self.period.year,
                semester=self.period.semester,
                count=count,
                source=self.source,
                data_date=self.data_date,
                updated_by=self.user,
            )
            for payload in written
            for category, count in payload["new"]
        ]
        if created:
            bulk_create_with_history(created, PmksCount, default_user=self.user, default_change_reason=reason)
        now = timezone.now()
        updated = []
        for payload in written:
            for stored, count in payload["changed"]:
                stored.count, stored.source, stored.data_date = count, self.source, self.data_date
                stored.updated_by, stored.updated_at = self.user, now
                updated.append(stored)
        if updated:
            bulk_update_with_history(
                updated,
                PmksCount,
                ["count", "source", "data_date", "updated_by", "updated_at"],
                default_user=self.user,
                default_change_reason=reason,
            )
