from django.urls import path

from bindings.ledger import exports, views

app_name = "ledger"

urlpatterns = [
    path("usage/", views.usage, name="usage"),
    path("usage.csv", exports.usage_csv, name="usage_csv"),
    path("statement/", views.statement, name="statement"),
    path("simulator/", views.simulator, name="simulator"),
    path("counter/", views.counter, name="counter"),
    path("settlements/<int:pk>/", views.settlement, name="settlement"),
    path("premium/", views.premium, name="premium"),
    path("premium/lookup/", views.premium_lookup, name="premium_lookup"),
    path("premium/<int:pk>/", views.premium_receipt, name="premium_receipt"),
    path("caps/<int:pk>/", views.cap, name="cap"),
    path("caps/<int:pk>/remove/", views.cap_remove, name="cap_remove"),
]
