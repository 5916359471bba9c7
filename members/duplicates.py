"""Likely duplicate members: a similar name with the same birth date, or the same mobile number.

`Member.objects.visible_to(user).duplicate_pairs()` gives a `DuplicatePairs`: it counts and slices like a
queryset, so Django's Paginator pages it; a page costs two queries (the pairs, then the page's members).

Why the query is shaped this way: comparing every member with every other is n² (about 88 billion pairs
for the ~420,000 PSM of Indonesia), and a trigram index cannot drive a self-join (it answers "names like
this one", not "pairs of similar names"). So pairs come only from equi-joins PostgreSQL can hash: members
with the same birth date (20-30 people share one birth date nationally, a handful within a kab/kota),
whose names are then compared with pg_trgm's similarity(); and members with the same non-empty mobile
number. The work grows with the members sharing a birth date, not with n². The scope (the user's
kab/kota) is applied first, in the CTE `m`, so staff only ever pair their own members, and the join is a
hash join over that small set: no index on birth_date or phone is needed (one would only serve a
nested-loop plan the planner does not pick here; checked with EXPLAIN ANALYZE, see below).

Measured on generated data (this machine, 2 shared cores): 5,025 members, all in scope: one hash join,
6,761 same-birth-date comparisons, 39 ms. 422,100 members over all ~83,000 villages: a kab/kota of 4,246
members takes 19 ms (5,570 comparisons); all of Indonesia at once (superusers) takes ~27 s, for 6.1 million
same-birth-date pairs at ~4 µs per similarity() — so the review page lets administrators narrow to a
province or kab/kota (members.forms.DuplicateAreaForm).

The threshold is an explicit similarity() >= DUPLICATE_NAME_SIMILARITY rather than the `%` operator,
whose threshold is a per-session setting (pg_trgm.similarity_threshold, default 0.3): 0.5 keeps spelling
variants together ("Siti Rahayu"/"Sitti Rahayu" 0.79, "Muhammad Agus Salim"/"Moh. Agus Salim" 0.52,
"Sri Wahyuni"/"Sri Wahyuningsih" 0.61) and leaves apart different people sharing a word ("Agus Santoso"/
"Budi Santoso" 0.44, "Joko Wibowo"/"Joko Widodo" 0.41). pg_trgm folds case and ignores punctuation.
"""

from dataclasses import dataclass

from django.db import connections
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

DUPLICATE_NAME_SIMILARITY = 0.5
SHARED_PHONE_LIMIT = 3


@dataclass
class DuplicatePair:
    """Two members (a.pk < b.pk) that may be the same person, and why."""

    a: object  # members.models.Member
    b: object
    similarity: float  # of the full names, 0..1
    similar_name_same_birth_date: bool
    same_phone: bool

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.similar_name_same_birth_date:
            reasons.append(str(_("Similar name, same date of birth")))
        if self.same_phone:
            reasons.append(str(_("Same mobile number")))
        return reasons

    @property
    def reason(self) -> str:
        """'name', 'phone' or 'name+phone'."""
        return "+".join(
            name
            for name, matched in (("name", self.similar_name_same_birth_date), ("phone", self.same_phone))
            if matched
        )


class DuplicatePairs:
    """The candidate pairs among a queryset of members (already scoped and without merged records).

    The pairs are found by one query, the first time they are counted or sliced, and kept: a page of the
    review list costs that query and one more for the members of the page, however many pairs there are.
    """

    def __init__(self, members):
        self._members = members
        self._rows: list[tuple[int, int, float, bool, bool]] | None = None

    def _sql(self) -> tuple[str, list]:
        scoped_sql, scoped_params = (
            self._members.order_by().values("pk", "full_name", "birth_date", "phone").query.sql_with_params()
        )
        dismissal = self._members.model._meta.apps.get_model("members", "DuplicateDismissal")._meta.db_table
        # A number typed for more than SHARED_PHONE_LIMIT records is an office or placeholder number, not a
        # sign of one person: its k records would make k²/2 pairs of nothing.
        sql = f"""
            WITH m (id, full_name, birth_date, phone) AS ({scoped_sql}),
            phones AS (
                SELECT id, full_name, phone FROM (
                    SELECT id, full_name, phone, count(*) OVER (PARTITION BY phone) AS sharing
                      FROM m WHERE phone <> '') numbers
                 WHERE sharing <= %s
            ),
            matches AS (
                SELECT a.id AS a_id, b.id AS b_id, similarity(a.full_name, b.full_name) AS sim,
                       true AS by_name, false AS by_phone
                  FROM m a JOIN m b ON b.birth_date = a.birth_date AND b.id > a.id
                 WHERE similarity(a.full_name, b.full_name) >= %s
                UNION ALL
                SELECT a.id, b.id, similarity(a.full_name, b.full_name), false, true
                  FROM phones a JOIN phones b ON b.phone = a.phone AND b.id > a.id
            )
            SELECT a_id, b_id, max(sim), bool_or(by_name), bool_or(by_phone)
              FROM matches
             WHERE NOT EXISTS (
                   SELECT 1 FROM "{dismissal}" d WHERE d.member_a_id = a_id AND d.member_b_id = b_id)
             GROUP BY a_id, b_id
             ORDER BY bool_or(by_name) AND bool_or(by_phone) DESC, max(sim) DESC, a_id, b_id
        """
        return sql, [*scoped_params, SHARED_PHONE_LIMIT, DUPLICATE_NAME_SIMILARITY]

    def rows(self) -> list[tuple[int, int, float, bool, bool]]:
        """(a pk, b pk, similarity, similar name and same birth date, same phone), most likely first."""
        if self._rows is None:
            sql, params = self._sql()
            with connections[self._members.db].cursor() as cursor:
                cursor.execute(sql, params)
                self._rows = cursor.fetchall()
        return self._rows

    def count(self) -> int:
        return len(self.rows())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self._with_members([self.rows()[index]])[0]
        return self._with_members(self.rows()[index])

    def __iter__(self):
        return iter(self[:])

    def _with_members(self, rows) -> list[DuplicatePair]:
        ids = {pk for a_id, b_id, *_rest in rows for pk in (a_id, b_id)}
        members = self._members.select_related("unit__region").in_bulk(ids) if ids else {}
        return [
            DuplicatePair(members[a_id], members[b_id], float(sim), by_name, by_phone)
            for a_id, b_id, sim, by_name, by_phone in rows
        ]


def related_counts(member) -> list[tuple[str, int]]:
    """What a record holds that merging would move: (what, how many) for each kind it has, one query.

    Read from the model's relations, so a new foreign key to Member shows up here by itself.
    """
    from members.models import Member, count_subquery

    relations = [
        relation
        for relation in Member._meta.related_objects
        if relation.related_model is not Member
        and getattr(relation.related_model, "instance_type", None) is None  # simple-history's copies
    ]
    counts = (
        Member.objects.filter(pk=member.pk)
        .annotate(
            **{
                f"n{index}": count_subquery(
                    relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
                )
                for index, relation in enumerate(relations)
            }
        )
        .values(*(f"n{index}" for index in range(len(relations))))
        .get()
    )
    return [
        (str(relation.related_model._meta.verbose_name_plural), counts[f"n{index}"])
        for index, relation in enumerate(relations)
        if counts[f"n{index}"]
    ]
