from django.urls import path

from ipsm.psm import reports, views

app_name = "psm"

urlpatterns = [
    # A PSM's own pages (role PSM, members.accounts): their profile, their cases, nothing else.
    path("saya/", views.home, name="home"),
    path("saya/ubah/", views.edit, name="edit"),
    path("saya/kta/", views.card, name="card"),
    path("saya/kta/logo/", views.card_logo, name="card_logo"),
    path("saya/foto/", views.photo, name="photo"),
    path("saya/sertifikat/<int:pk>/", views.certificate, name="certificate"),
    path("saya/sertifikat/<int:pk>/logo/", views.certificate_logo, name="certificate_logo"),
    path("saya/kasus/", views.case_list, name="cases"),
    path("saya/kasus/<int:pk>/", views.case_detail, name="case"),
    path("saya/laporan/", reports.report_list, name="reports"),
    path("saya/laporan/foto/<int:pk>/", reports.report_photo, name="report_photo"),
    path("saya/laporan/<str:month>/", reports.report_month, name="report"),
    # Public: the one-time link of an invitation (members/views/accounts.py makes it).
    path("aktivasi/<str:token>/", views.activate, name="activate"),
]
