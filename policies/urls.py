from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("guide/", views.guide, name="guide"),
    path("<slug:slug>/", views.detail, name="detail"),
]
