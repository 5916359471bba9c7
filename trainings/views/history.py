"""A training event's change history (field: old -> new, who, when).

Who: users who may change the event (trainings.change_event: staff of an organising office, superusers);
read-only viewers get 403, coordinators too (no trainings.view_event), events of other offices 404.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ipsm.lib.history import history_entries
from members.access import get_for_user, require_perm
from trainings.models import Event


@login_required
def event_history(request, pk):
    require_perm(request.user, "trainings.view_event")
    event = get_for_user(Event.objects.all(), request.user, pk=pk, perm="trainings.change_event")
    history = history_entries(event, show_nik=False)
    return render(request, "trainings/event_history.html", {"event": event, "history": history})
