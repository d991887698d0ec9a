from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from .audit import audit, is_personal_term, masked_term, region_of
from .clerks import region_q
from .devices import sms_outbox_on
from .masking import mask_id_number, mask_name, mask_phone
from .models import AuditAction, AuditEntry, FaceVerification, SmsMessage, User
from .regions import region_name
from .sms_gateways import mask_codes
from .views import client_ip


class RegionScopedAdmin(admin.ModelAdmin):
    """Lists, URLs and actions limited to the clerk's region; an attempt outside it is refused and logged."""

    region_field = "city_code"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_q(request.user, self.region_field))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and str(object_id).isdigit():
            # The record's own region (one query, as the existence check was): its region's supervisors see who
            # tried to reach it.
            regions = self.model._default_manager.filter(pk=object_id).values_list(self.region_field, flat=True)
            for region in regions[:1]:
                audit(
                    actor=request.user,
                    action=AuditAction.REFUSED,
                    target=f"{self.model._meta.model_name}:{object_id}",
                    detail=_t("尝试访问本人经办区域以外的记录"),
                    ip=client_ip(request),
                    region_code=region or "",
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


class AuditedSearchMixin:
    """A search that may name a person (ID number, phone, name) is a read of personal data: one SEARCH row per
    list shown for it, with the term masked and the number of results. A case or receipt number is not logged.

    The row's region is the results' own when they are all of one region, else the clerk's (the list is scoped
    to it anyway); written before the page is rendered, so no result leaves without its row.
    """

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        term = changelist.query
        if is_personal_term(term):
            regions = {self._row_region(obj) for obj in changelist.result_list}
            whole = len(changelist.result_list) == changelist.result_count
            audit(
                actor=request.user,
                action=AuditAction.SEARCH,
                target=f"{self.model._meta.model_name}:search",
                detail=_t("检索“%(term)s”，%(n)s条结果") % {"term": masked_term(term), "n": changelist.result_count},
                ip=client_ip(request),
                region_code=regions.pop() if whole and len(regions) == 1 else request.user.region_code,
            )
        return changelist

    def _row_region(self, obj) -> str:
        """By the field the list is scoped on (already joined, no query per row); else what the row says."""
        field = getattr(self, "region_field", "")
        if not field:
            return region_of(obj)
        for name in field.split("__"):
            obj = getattr(obj, name, None)
        return obj or ""


class AuditedChangeFormMixin:
    """A change form that shows personal numbers whole: each showing writes one REVEAL row, inside the form view's
    own transaction; a change saved through it, one REGISTRY_EDIT row naming the fields, never their values.

    Whole rather than masked: the phone is the input that holds the current number, and the registry form shows
    the birth date, which with a masked ID number's first six and last four digits rebuilds all eighteen, so
    masking there would hide nothing. The lists mask; opening one person's form is the deliberate, logged step.
    """

    audit_target = ""  # the target prefix, "person"; the model name when empty
    revealed = _("完整身份证号码和手机号")  # what the form shows whole, for the audit row

    def _audit_target(self, obj) -> str:
        return f"{self.audit_target or self.model._meta.model_name}:{obj.pk}"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            audit(
                actor=request.user,
                action=AuditAction.REVEAL,
                target=self._audit_target(obj),
                detail=_t("打开%(what)s修改页面：%(shown)s") % {"what": self.opts.verbose_name, "shown": self.revealed},
                ip=client_ip(request),
                region_code=region_of(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            fields = "、".join(str(form.fields[name].label or name) for name in form.changed_data)
            audit(
                actor=request.user,
                action=AuditAction.REGISTRY_EDIT,
                target=self._audit_target(obj),
                detail=_t("修改：%(fields)s") % {"fields": fields},
                ip=client_ip(request),
                region_code=region_of(obj),
            )


def masked_person(person) -> str:
    return f"{mask_name(person.name)} {mask_id_number(person.id_number)}"


@admin.register(User)
class UserAdmin(AuditedSearchMixin, AuditedChangeFormMixin, DjangoUserAdmin):
    list_display = ["username", "display_name", "masked_phone", "is_staff", "is_active", "last_login"]
    list_select_related = ["person"]
    search_fields = ["username", "=phone", "=person__id_number"]
    revealed = _("完整手机号")  # the linked person shows masked (InsuredPerson.__str__)
    raw_id_fields = ["person"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("服务大厅"), {"fields": ["person", "phone", "elder_mode", "face_consent_at", "region_code"]}),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyScopedAdmin):
    """The demo outbox for clerks, as /accounts/sms-outbox/ shows it to them (accounts.outbox): only while the outbox
    is on, only with accounts.view_sms_outbox, only their region's texts, codes masked, every look audited."""

    region_field = "region_code"
    list_display = ["created_at", "masked_phone", "masked_body", "region_code"]
    list_display_links = None
    fields = readonly_fields = ["created_at", "masked_phone", "masked_body", "region_code"]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("内容（验证码已遮盖）"))
    def masked_body(self, obj):
        return mask_codes(obj.body)

    def has_view_permission(self, request, obj=None):
        return sms_outbox_on() and request.user.has_perm("accounts.view_sms_outbox")

    def _audited(self, request, detail):
        if request.method == "GET":
            audit(
                actor=request.user,
                action=AuditAction.SMS_OUTBOX_VIEW,
                target="admin:sms_outbox",
                detail=detail,
                ip=client_ip(request),
                region_code=region_of(request.user),
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            self._audited(request, _t("在管理后台查看短信发件箱（验证码已遮盖）"))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self._audited(request, _t("在管理后台查看短信%(id)s（验证码已遮盖）") % {"id": object_id})
        return response


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
class AuditEntryAdmin(ReadOnlyScopedAdmin):
    """Readable by clerks with the permission, scoped like the queue: a clerk sees the entries of his region's
    people and cases (a provincial clerk his province's, a 全国 supervisor all). Rows written before entries named
    a region (region_code blank) are seen only with an unrestricted scope. Insert-only for everyone: the model,
    its queryset and, on PostgreSQL, a trigger refuse updates and deletes."""

    region_field = "region_code"
    list_display = ["created_at", "actor_shown", "action", "detail", "target", "case_number", "region", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["actor__person"]

    @admin.display(description=_("操作人"), ordering="actor__username")
    def actor_shown(self, obj):
        """A clerk by his name (the user name when he has none); a resident (a guardian or proxy) masked."""
        actor = obj.actor
        if actor.person_id:
            return mask_name(actor.person.name)
        return actor.get_full_name() or actor.username

    search_fields = ["=case_number", "target"]
    show_full_result_count = False

    @admin.display(description=_("统筹区"), ordering="region_code")
    def region(self, obj):
        return region_name(obj.region_code)
