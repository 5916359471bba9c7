"""A participant's certificate: which Dinas Sosial signs it, and its date of issue (the one home of both)."""

import datetime

from members.models import Assignment, Member, Region
from trainings.models import Event


def signing_region(event: Event, member: Member) -> Region | None:
    """The kab/kota whose Dinas Sosial signs `member`'s certificate of `event` (its head of office, on its
    letterhead; members.OfficeProfile):

    1. the office of the participant's own kab/kota, when it organises the event (a joint event: each office
       signs for its own PSM);
    2. else the office of the user who created the event, when it still organises it;
    3. else the first organising office by region code (a creator without an office, a superuser, or one
       whose office has left the event);
    4. None when no office organises it (other institutions only).

    Only offices that accepted to organise count. Reads the event's organisers with their regions (prefetch
    them) and, in case 2 only, the creator's assignment.
    """
    offices = sorted(
        (o.region for o in event.organisers.all() if o.region_id and o.is_accepted), key=lambda r: r.code
    )
    if not offices:
        return None
    home = member.unit.region_id[:5]
    for region in offices:
        if region.code == home:
            return region
    creator_code = (
        Assignment.objects.filter(user_id=event.created_by_id, region__isnull=False)
        .values_list("region_id", flat=True)
        .first()
        if event.created_by_id
        else None
    )
    if creator_code:
        for region in offices:
            if region.code.startswith(creator_code) or creator_code.startswith(region.code):
                return region
    return offices[0]


def issued_on(event: Event) -> datetime.date:
    """The date a certificate is issued and signed: the event's last day."""
    return event.ends_on
