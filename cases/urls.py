from django.urls import path

from cases.views import cases as views
from cases.views import exports as export_views
from cases.views import history as history_views
from cases.views import pmks as pmks_views

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
    path("rujukan/<int:pk>/hasil/", views.referral_outcome, name="referral_outcome"),
    # PMKS counts and targets (cases/pmks_views.py)
    path("pmks/<str:code>/", pmks_views.pmks_grid, name="pmks_grid"),
    path("pmks/<str:code>/ekspor/<str:fmt>/", export_views.pmks_export, name="pmks_export"),
    path("target/<str:code>/", pmks_views.coverage_targets, name="targets"),
]
