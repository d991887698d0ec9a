from django.urls import path

from . import relative_face_views, views

app_name = "bindings"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("applications/<str:case>/relative/", views.relative, name="relative"),
    path("applications/<str:case>/relative/<int:pk>/remove/", views.remove_relative, name="remove_relative"),
    path("applications/<str:case>/relative/<int:pk>/face/", relative_face_views.relative_face, name="relative_face"),
    path("applications/<str:case>/proof/", views.proof, name="proof"),
    path("applications/<str:case>/summary/", views.summary, name="summary"),
    path("applications/<str:case>/discard/", views.discard, name="discard"),
    path("applications/<str:case>/done/", views.done, name="done"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("documents/<uuid:pk>/", views.document, name="document"),
    path("notices/", views.notices, name="notices"),
]
