from django.urls import path

from cases.views import cases as views
from cases.views import exports as export_views
from cases.views import history as history_views
from cases.views import pmks as pmks_views
from cases.views import reports as report_views

app_name = "cases"

urlpatterns = [
    # Cases (cases/views.py)
    path("kasus/", views.case_list, name="list"),
    path("kasus/baru/", views.case_create, name="create"),
    path("kasus/ringkasan/ekspor/<str:fmt>/", export_views.case_summary_export, name="summary_export"),
    path("kasus/<int:pk>/", views.case_detail, name="detail"),
    path("kasus/<int:pk>/ubah/", views.case_edit, name="edit"),
    path("kasus/<int:pk>/riwayat/", history_views.case_history, name="history"),
    path("kasus/<int:pk>/status/", views.case_status, name="status"),
    path("kasus/<int:pk>/psm/", views.case_assign, name="assign"),
    path("kasus/<int:pk>/kegiatan/", views.case_activity, name="activity"),
    path("kasus/<int:pk>/rujukan/", views.case_referral, name="referral"),
    path("kasus/<int:pk>/kontribusi/", views.case_contribution, name="contribution"),
    path("rujukan/<int:pk>/hasil/", views.referral_outcome, name="referral_outcome"),
    # PMKS counts and targets (cases/pmks_views.py)
    path("pmks/<str:code>/", pmks_views.pmks_grid, name="pmks_grid"),
    path("pmks/<str:code>/ekspor/<str:fmt>/", export_views.pmks_export, name="pmks_export"),
    path("target/<str:code>/", pmks_views.coverage_targets, name="targets"),
    # PSM monthly reports (cases/views/reports.py; a PSM's own pages are in ipsm/psm)
    path("unit/<int:pk>/laporan/", report_views.unit_reports, name="unit_reports"),
    path("laporan/<int:pk>/", report_views.report_detail, name="report"),
    path("laporan/foto/<int:pk>/", report_views.report_photo, name="report_photo"),
    path("anggota/<int:pk>/laporan/<str:month>/kertas/", report_views.report_paper, name="report_paper"),
    path("laporan/<int:pk>/setujui/", report_views.report_approve, name="report_approve"),
    path("laporan/<int:pk>/kembalikan/", report_views.report_return, name="report_return"),
]
