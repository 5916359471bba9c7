from django.urls import path

from ipsm.notices import views

app_name = "notices"

urlpatterns = [
    path("pemberitahuan/", views.notice_list, name="list"),
    path("pemberitahuan/jumlah/", views.bell, name="bell"),
    path("pemberitahuan/dibaca/", views.mark_all_read, name="read_all"),
    path("pemberitahuan/<int:pk>/dibaca/", views.mark_read, name="read"),
]
