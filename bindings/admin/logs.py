"""The binding timeline and the document-access log, read-only and limited to the clerk's region."""

from django.contrib import admin

from accounts.admin import ReadOnlyScopedAdmin
from bindings.models import BindingEvent, DocumentAccess


@admin.register(BindingEvent)
class BindingEventAdmin(ReadOnlyScopedAdmin):
    region_field = "binding__application__city_code"
    list_display = [
        "created_at",
        "binding",
        "actor",
        "actor_role",
        "from_status",
        "to_status",
        "reason_code",
        "channel",
    ]
    list_select_related = ["binding__application", "actor"]
    list_filter = ["actor_role", "to_status", "channel"]


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyScopedAdmin):
    region_field = "document__binding__application__city_code"
    list_display = ["created_at", "user", "document", "ip_address"]
    list_select_related = ["user", "document"]
