from django.urls import path

from bindings.counter import views

app_name = "counter"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("person/<int:pk>/", views.person, name="person"),
    path("person/<int:pk>/status/", views.status_change, name="status"),
    path("applications/<str:case>/", views.application, name="application"),
    path("applications/<str:case>/receipt/", views.receipt, name="receipt"),
]
