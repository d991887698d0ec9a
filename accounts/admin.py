from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from .audit import audit
from .clerks import region_q
from .masking import mask_id_number, mask_name, mask_phone
from .models import AuditAction, AuditEntry, FaceVerification, SmsMessage, User
from .views import client_ip


class RegionScopedAdmin(admin.ModelAdmin):
    """Lists, URLs and actions limited to the clerk's region; an attempt outside it is refused and logged."""

    region_field = "city_code"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_q(request.user, self.region_field))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and str(object_id).isdigit() and self.model._default_manager.filter(pk=object_id).exists():
            audit(
                actor=request.user,
                action=AuditAction.REFUSED,
                target=f"{self.model._meta.model_name}:{object_id}",
                detail=_t("尝试访问本人经办区域以外的记录"),
                ip=client_ip(request),
            )
        return obj


class ReadOnlyScopedAdmin(RegionScopedAdmin):
    """Logs and money move only through the services: these admin pages show, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def masked_person(person) -> str:
    return f"{mask_name(person.name)} {mask_id_number(person.id_number)}"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "masked_phone", "is_staff", "is_active", "last_login"]
    list_select_related = ["person"]
    search_fields = ["username", "=phone", "=person__id_number"]
    raw_id_fields = ["person"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("服务大厅"), {"fields": ["person", "phone", "elder_mode", "face_consent_at", "region_code"]}),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "masked_phone", "body"]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FaceVerification)
class FaceVerificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "passed", "reason", "image_width", "image_height", "verifier"]
    list_filter = ["passed"]
    list_select_related = ["user__person"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Readable by clerks with the permission; insert-only for everyone (the model refuses updates and deletes)."""

    list_display = ["created_at", "actor", "action", "target", "case_number", "detail", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["=case_number", "target"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
