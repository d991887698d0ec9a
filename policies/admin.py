"""Clerks correct rules here. Every save goes through services.policy_version_record_edit, which keeps the
history; the models' clean() methods are the same checks the loader runs."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cache import policies_changed
from .models import (
    Channel,
    PolicyRevision,
    PolicyVersion,
    PoolingLevel,
    PoolingRule,
    PremiumAmount,
    ProofRule,
    Region,
    RelationshipRule,
    Source,
)
from .relationships import CLOSE_RELATIVES, Relationship
from .rule_fields import Section, by_section
from .services import policy_version_record_edit, stored_snapshot

CLOSE_RELATIVE_CHOICES = [(r.value, r.label) for r in CLOSE_RELATIVES]
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class RelationshipsField(forms.MultipleChoiceField):
    """A JSON list of relationships edited as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return value or []


class PolicyVersionForm(forms.ModelForm):
    premium_relationships = RelationshipsField(
        label=_("代缴亲属范围"), choices=Relationship.choices, required=False, help_text=_("都不勾选表示本级未规定。")
    )

    class Meta:
        model = PolicyVersion
        fields = ["premium_relationships"]  # the admin adds the fields named in its fieldsets

    def clean_premium_relationships(self):
        return self.cleaned_data["premium_relationships"] or None


class ProofRuleForm(forms.ModelForm):
    relationships = RelationshipsField(
        label=_("适用亲属"), choices=CLOSE_RELATIVE_CHOICES, required=False, help_text=_("都不勾选表示所有亲属。")
    )

    class Meta:
        model = ProofRule
        fields = ["order", "relationships", "min_age", "max_age", "kind", "upload_required", "pledge_allowed", "note"]


class RelationshipRuleInline(admin.TabularInline):
    model = RelationshipRule
    extra = 0


class ProofRuleInline(admin.StackedInline):
    model = ProofRule
    form = ProofRuleForm
    extra = 0


class ChannelInline(admin.StackedInline):
    model = Channel
    extra = 0
    formfield_overrides = HTTPS_URLS


class PoolingRuleInline(admin.TabularInline):
    model = PoolingRule
    extra = 0
    show_change_link = True
    fields = ["scheme", "category", "deductible_yuan", "yearly_cap_yuan", "note"]


class PremiumAmountInline(admin.TabularInline):
    """Read here; entered and changed on the standard's own page (PremiumAmountAdmin), which asks for the source."""

    model = PremiumAmount
    extra = 0
    fields = ["year", "amount_yuan", "due_on", "late_extra_yuan", "source", "is_demo", "entered_by", "entered_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class PremiumAmountForm(forms.ModelForm):
    """A standard that is policy names its source document and quotes it; a 演示标准 says it is one."""

    class Meta:
        model = PremiumAmount
        fields = ["version", "year", "amount_yuan", "due_on", "late_extra_yuan", "source", "quote", "is_demo", "note"]
        labels = {"version": _("政策版本（地区）")}

    def clean(self):
        data = super().clean()
        if not data.get("is_demo"):
            if not data.get("source"):
                self.add_error("source", _("请选择该缴费标准的来源文件（演示标准除外）。"))
            if not (data.get("quote") or "").strip():
                self.add_error("quote", _("请摘录来源中写明该缴费标准的原文（演示标准除外）。"))
        if data.get("late_extra_yuan") is not None and not data.get("due_on"):
            self.add_error("due_on", _("填写了逾期另缴金额时，请同时填写集中缴费截止日。"))
        return data


class PolicyRevisionInline(admin.TabularInline):
    model = PolicyRevision
    extra = 0
    can_delete = False
    fields = ["changed_at", "via", "changed_by", "changes"]
    readonly_fields = fields
    verbose_name_plural = _("修改记录")

    def has_add_permission(self, request, obj=None):
        return False


def version_fieldsets() -> list:
    """One fieldset per rule_fields.Section, with the region first and the bookkeeping last."""
    sections = by_section()
    sections[Section.GENERAL].insert(0, "region")
    sections[Section.NOTES] += ["edited_in_admin_at", "updated_at"]
    return [(section.label, {"fields": names}) for section, names in sections.items()]


class MarksPolicyDataChanged:
    """Names, slugs and sources appear on resolved policies: an edit must reach every worker's memo."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        policies_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        policies_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        policies_changed()


class RecordsEditsMixin:
    """Snapshot the version before the form is saved, compare after the inlines are saved."""

    def version_of(self, obj) -> PolicyVersion:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        version = self.version_of(obj) if change else None
        request._policy_before = stored_snapshot(PolicyVersion.objects.get(pk=version.pk)) if version else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        policy_version_record_edit(
            version=self.version_of(form.instance), before=getattr(request, "_policy_before", {}), actor=request.user
        )


@admin.register(PolicyVersion)
class PolicyVersionAdmin(MarksPolicyDataChanged, RecordsEditsMixin, admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ["region", "title", "effective_from", "effective_to", "edited_in_admin_at"]
    list_filter = ["region__level", "region"]
    list_select_related = ["region"]
    search_fields = ["title", "region__name"]
    filter_horizontal = ["sources"]
    readonly_fields = ["edited_in_admin_at", "updated_at"]
    inlines = [
        RelationshipRuleInline,
        ProofRuleInline,
        ChannelInline,
        PoolingRuleInline,
        PremiumAmountInline,
        PolicyRevisionInline,
    ]
    fieldsets = version_fieldsets()

    def version_of(self, obj):
        return obj


class PoolingLevelInline(admin.TabularInline):
    model = PoolingLevel
    extra = 0


@admin.register(PoolingRule)
class PoolingRuleAdmin(RecordsEditsMixin, admin.ModelAdmin):
    list_display = ["__str__", "version", "deductible_yuan", "yearly_cap_yuan"]
    list_select_related = ["version__region"]
    inlines = [PoolingLevelInline]

    def version_of(self, obj):
        return obj.version

    def save_model(self, request, obj, form, change):
        # A new pooling rule changes an existing version: snapshot that version first.
        request._policy_before = stored_snapshot(PolicyVersion.objects.get(pk=obj.version_id))
        admin.ModelAdmin.save_model(self, request, obj, form, change)


@admin.register(Region)
class RegionAdmin(MarksPolicyDataChanged, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "slug"]
    list_filter = ["level"]
    search_fields = ["code", "name", "slug"]
    list_select_related = ["parent"]


@admin.register(Source)
class SourceAdmin(MarksPolicyDataChanged, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["key", "title", "document_number", "published_on"]
    search_fields = ["key", "title", "document_number"]


@admin.register(PolicyRevision)
class PolicyRevisionAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "version_label", "via", "changed_by"]
    list_filter = ["via", "region"]
    list_select_related = ["changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PremiumAmount)
class PremiumAmountAdmin(RecordsEditsMixin, admin.ModelAdmin):
    """居民医保个人缴费标准: a supervisor (主管, who holds the model's permissions) enters next year's standard with its
    source document and quote. Who entered it and when are set here; every save is a PolicyRevision of the
    version (RecordsEditsMixin), so the change is in the version's history under the supervisor's name."""

    form = PremiumAmountForm
    list_display = ["version", "year", "amount_yuan", "due_on", "late_extra_yuan", "is_demo", "entered_by_name"]
    list_filter = ["is_demo", "year"]
    list_select_related = ["version__region", "entered_by"]
    autocomplete_fields = ["version", "source"]
    readonly_fields = ["entered_by_name", "entered_at"]

    def version_of(self, obj):
        return obj.version

    @admin.display(description=_("录入人"))
    def entered_by_name(self, obj):
        user = obj.entered_by
        return (user.get_full_name() or user.first_name or user.username) if user else "—"

    def save_model(self, request, obj, form, change):
        obj.entered_by, obj.entered_at = request.user, timezone.now()
        # A new standard changes an existing version: snapshot that version first.
        request._policy_before = stored_snapshot(PolicyVersion.objects.get(pk=obj.version_id))
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        policies_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        policies_changed()
