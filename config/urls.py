from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "医保经办后台 · 家庭共济"
admin.site.site_title = "医保经办后台"
admin.site.index_title = "经办业务"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("policies/", include("policies.urls")),
    path("bindings/", include("bindings.urls")),
    path("ledger/", include("bindings.ledger.urls")),
    path("counter/", include("bindings.counter.urls")),
    path("family/", include("bindings.delegation.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
