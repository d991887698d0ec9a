"""The binding timeline and the document-access log, read-only and limited to the clerk's region."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin
from bindings.models import BindingEvent, DocumentAccess
from bindings.models.binding import reason_label


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
        "reason_shown",
        "channel",
    ]
    list_select_related = ["binding__application", "actor"]
    list_filter = ["actor_role", "to_status", "channel"]

    @admin.display(description=_("原因"))
    def reason_shown(self, obj):
        """The stored code as words (驳回原因 or 解除原因), never the code itself."""
        return reason_label(obj.reason_code) or obj.reason_text


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyScopedAdmin):
    region_field = "document__binding__application__city_code"
    list_display = ["created_at", "user", "document", "ip_address"]
    list_select_related = ["user", "document"]
