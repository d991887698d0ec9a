"""The insured-person registry as clerks see it.

Identity (ID number, scheme, category, city, province), money (the balance) and the insurance status are
read-only here for every role, superuser included: the balance is the sum of ledger entries and moves only
through the ledger services (a correction is a ledger entry with a reason); a status change ends the person's
bindings, so it has its own page that asks for a reason and a confirmation and calls the binding service, the
same two steps as the counter desk (bindings/counter/status.py). That is why this admin lives with the bindings.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedChangeFormMixin, AuditedSearchMixin, RegionScopedAdmin
from accounts.masking import mask_id_number, mask_name
from accounts.models import InsuredPerson
from accounts.regions import region_name
from bindings.counter.status import StatusChangeForm, status_change_step
from bindings.ledger.corrections import check_may_correct
from bindings.ledger.errors import LedgerError
from bindings.ledger.money import fen_text

# Written by the insurance platform, the ledger services or the status-change page; never by this form.
REGISTRY_ONLY = ["id_number", "scheme", "category", "province_code", "city_code", "balance_yuan", "status"]


@admin.register(InsuredPerson)
class InsuredPersonAdmin(AuditedSearchMixin, AuditedChangeFormMixin, RegionScopedAdmin):
    """Searches by ID number or name, every showing of the change form (full ID number and phone) and every
    change saved through it are audited (accounts.admin's mixins)."""

    audit_target = "person"
    list_display = ["masked_name", "masked_id", "scheme", "category", "status", "city", "balance_yuan"]
    list_filter = ["scheme", "category", "status", "province_code"]
    search_fields = ["=id_number", "name"]
    readonly_fields = ["sex", "birth_date", "created_shown", "updated_shown"]
    fields = [
        "id_number",
        "name",
        "sex",
        "birth_date",
        "phone",
        "scheme",
        "category",
        "status",
        "province_code",
        "city_code",
        "balance_yuan",
        "created_shown",
        "updated_shown",
    ]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("登记时间"))
    def created_shown(self, obj):
        return obj.created_at

    @admin.display(description=_("最近更新"))
    def updated_shown(self, obj):
        return obj.updated_at

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *REGISTRY_ONLY]

    def has_add_permission(self, request):
        # People come from the insurance platform (import, seed); a form with identity read-only cannot add one.
        return False

    def get_search_results(self, request, queryset, search_term):
        # ID numbers are matched in full only, upper-case X as in the registry.
        return super().get_search_results(request, queryset, search_term.strip().upper())

    # --- the change form links to the pages that may change what it shows read-only ----------------------
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            if self.has_change_permission(request, obj):
                context["status_url"] = reverse("admin:accounts_insuredperson_status", args=[obj.pk])
            if may_correct(obj, request.user):
                context["correct_url"] = reverse("admin:bindings_ledgerentry_correct", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        status = path(
            "<int:pk>/status/",
            self.admin_site.admin_view(self.status_view),
            name="accounts_insuredperson_status",
        )
        return [status, *super().get_urls()]

    def status_view(self, request, pk):
        """Step one (status, reason), then the confirmation; only the confirm button changes anything."""
        person = self.get_object(request, str(pk))  # outside the clerk's region: None, and logged
        if person is None:
            raise Http404
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        change_url = reverse("admin:accounts_insuredperson_change", args=[person.pk])
        form, preview = StatusChangeForm(person=person), None
        if request.method == "POST":
            step = status_change_step(request, person)
            if step.message:
                self.message_user(request, step.message, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            form, preview = step.form, step.preview
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": person,
            "person": person,
            "status_form": form,
            "preview": preview,
            "cancel_url": change_url,
            "title": _t("变更参保状态"),
        }
        return TemplateResponse(request, "admin/accounts/insuredperson/status_change.html", context)

    # --- columns -------------------------------------------------------------------------------------------
    @admin.display(description=_("姓名"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("参保地"))
    def city(self, obj):
        return region_name(obj.city_code)

    @admin.display(description=_("个人账户余额（元）"))
    def balance_yuan(self, obj):
        return fen_text(obj.balance_fen)


def may_correct(person, user) -> bool:
    """The ledger's own answer (permission, region, account, not his own) decides whether the link shows."""
    try:
        check_may_correct(person=person, actor=user)
    except LedgerError:
        return False
    return True
