from django.urls import path

from bindings.counter import proxy, views

app_name = "counter"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("person/<int:pk>/", views.person, name="person"),
    path("person/<int:pk>/status/", views.status_change, name="status"),
    path("person/<int:pk>/proxy/", proxy.proxy_new, name="proxy_new"),
    path("proxies/<int:pk>/", proxy.proxy_receipt, name="proxy_receipt"),
    path("proxies/<int:pk>/revoke/", proxy.proxy_revoke, name="proxy_revoke"),
    path("applications/<str:case>/", views.application, name="application"),
    path("applications/<str:case>/receipt/", views.receipt, name="receipt"),
]
