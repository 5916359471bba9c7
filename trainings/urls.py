from django.urls import path

from trainings.views import certificates as certificate_views
from trainings.views import events as views
from trainings.views import exports as export_views
from trainings.views import history as history_views
from trainings.views import indicators as report_views

app_name = "trainings"

urlpatterns = [
    # Events, sessions, participants, attendance, certificates (trainings/views.py)
    path("pelatihan/", views.event_list, name="list"),
    path("pelatihan/baru/", views.event_create, name="create"),
    path("pelatihan/ekspor/<str:fmt>/", export_views.event_export, name="export"),
    path("pelatihan/<int:pk>/", views.event_detail, name="detail"),
    path("pelatihan/<int:pk>/ubah/", views.event_edit, name="edit"),
    path("penyelenggara/<int:pk>/jawab/", views.invitation_answer, name="invitation_answer"),
    path("pelatihan/<int:pk>/riwayat/", history_views.event_history, name="history"),
    path("pelatihan/<int:pk>/materi/", views.session_add, name="session_add"),
    path("pelatihan/<int:pk>/kontribusi/", views.event_contribution, name="contribution"),
    path("materi/<int:pk>/hapus/", views.session_delete, name="session_delete"),
    path("pelatihan/<int:pk>/undang/", views.invite, name="invite"),
    path("pelatihan/<int:pk>/kehadiran/", views.attendance, name="attendance"),
    path(
        "pelatihan/<int:pk>/kehadiran/semua-hadir/",
        views.attendance_all_present,
        name="attendance_all_present",
    ),
    path("pelatihan/<int:pk>/nilai/", views.scores, name="scores"),
    path(
        "pelatihan/<int:pk>/peserta/ekspor/<str:fmt>/",
        export_views.participant_export,
        name="participant_export",
    ),
    path("pelatihan/<int:pk>/sertifikat/", views.issue_certificates, name="issue_certificates"),
    path("peserta/<int:pk>/sertifikat/", certificate_views.certificate, name="certificate"),
    path("peserta/<int:pk>/sertifikat/logo/", certificate_views.certificate_logo, name="certificate_logo"),
    # Five-level indicator report (trainings/report_views.py)
    path("indikator/", report_views.indicator_report, name="indicators"),
    path("indikator/tren/", report_views.indicator_trend, name="indicator_trend"),
    path("indikator/ekspor/<str:fmt>/", export_views.indicator_export, name="indicator_export"),
    path("indikator/target/<str:code>/<int:year>/", report_views.indicator_targets, name="indicator_targets"),
    path("indikator/lkjip/<str:code>/<int:year>/<str:fmt>/", export_views.lkjip_export, name="lkjip_export"),
]
