"""URLs of the IPSM's meetings (members/views/meetings.py)."""

from django.urls import path

from members.views import meetings as views

app_name = "meetings"

urlpatterns = [
    path("unit/<int:pk>/rapat/", views.unit_meetings, name="unit_list"),
    path("unit/<int:pk>/rapat/baru/", views.unit_create, name="unit_create"),
    path("wilayah/<str:code>/rapat/", views.region_meetings, name="region_list"),
    path("wilayah/<str:code>/rapat/baru/", views.region_create, name="region_create"),
    path("rapat/<int:pk>/", views.meeting_detail, name="detail"),
    path("rapat/<int:pk>/ubah/", views.meeting_edit, name="edit"),
    path("rapat/<int:pk>/kehadiran/", views.meeting_attendance, name="attendance"),
    path("rapat/<int:pk>/keputusan/", views.meeting_decisions, name="decisions"),
    path("rapat/<int:pk>/lampiran/", views.attachment_add, name="attachment_add"),
    path("rapat/keputusan/<int:pk>/hapus/", views.decision_remove, name="decision_remove"),
    path("rapat/tindak-lanjut/<int:pk>/selesai/", views.follow_up_done, name="follow_up_done"),
    path("rapat/tindak-lanjut/<int:pk>/buka/", views.follow_up_reopen, name="follow_up_reopen"),
    path("rapat/lampiran/<int:pk>/", views.attachment_file, name="attachment"),
    path("rapat/lampiran/<int:pk>/hapus/", views.attachment_remove, name="attachment_remove"),
]
