from . import guardian_views, proxy_views

app_name = "family"

# Each module owns its pages: the household page and guardianships, and proxies.
urlpatterns = guardian_views.urlpatterns + proxy_views.urlpatterns
