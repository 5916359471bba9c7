from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ipsm.lib.admin import HistoryAdmin, ModelAdmin, TabularInline
from trainings.models import Attendance, Event, Organiser, Participant, Session, Speaker


class OrganiserInline(TabularInline):
    model = Organiser
    extra = 0
    raw_id_fields = ["region"]
    readonly_fields = ["invited_by", "invited_at", "answered_by", "answered_at"]


class SessionInline(TabularInline):
    model = Session
    extra = 0
    raw_id_fields = ["speaker"]


@admin.register(Event)
class EventAdmin(HistoryAdmin):
    list_display = ["title", "training_type", "starts_on", "ends_on", "venue", "organiser_list"]
    list_filter = ["training_type", "starts_on"]
    search_fields = ["title", "venue", "organisers__region__code", "organisers__institution_name"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_on"
    inlines = [OrganiserInline, SessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisers__region")

    @admin.display(description=_("organisers"))
    def organiser_list(self, event):
        return ", ".join(str(organiser) for organiser in event.organisers.all())


@admin.register(Speaker)
class SpeakerAdmin(ModelAdmin):
    list_display = ["name", "title", "institution", "member"]
    list_filter = [("member", admin.EmptyFieldListFilter)]
    search_fields = ["name", "title", "institution", "=member__kta_number"]
    raw_id_fields = ["member"]
    list_select_related = ["member"]


class AttendanceInline(TabularInline):
    model = Attendance
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(ModelAdmin):
    list_display = ["member", "event", "pre_test_score", "post_test_score", "certificate_number"]
    list_filter = [
        "event__training_type",
        "event__starts_on",
        ("certificate_number", admin.EmptyFieldListFilter),
    ]
    search_fields = ["member__full_name", "=member__kta_number", "event__title", "certificate_number"]
    raw_id_fields = ["event", "member", "invited_by"]
    readonly_fields = ["invited_at"]
    list_select_related = ["member", "event"]
    inlines = [AttendanceInline]
