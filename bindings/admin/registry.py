"""The insured-person registry as clerks see it. A status change here ends the person's bindings, so it goes
through the binding service; that is why this admin lives with the bindings and not in accounts."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import RegionScopedAdmin
from accounts.masking import mask_id_number, mask_name
from accounts.models import InsuredPerson
from accounts.regions import region_name
from accounts.views import client_ip
from bindings.services import registry_status_change


@admin.register(InsuredPerson)
class InsuredPersonAdmin(RegionScopedAdmin):
    list_display = ["masked_name", "masked_id", "scheme", "category", "status", "city", "balance_yuan"]
    list_filter = ["scheme", "category", "status", "province_code"]
    search_fields = ["=id_number", "name"]
    readonly_fields = ["sex", "birth_date", "created_at", "updated_at"]
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
        "balance_fen",
        "created_at",
        "updated_at",
    ]
    list_per_page = 50
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # ID numbers are matched in full only, upper-case X as in the registry.
        return super().get_search_results(request, queryset, search_term.strip().upper())

    def save_model(self, request, obj, form, change):
        """A status change goes through the binding service, which ends the person's bindings when needed."""
        if not (change and "status" in form.changed_data):
            return super().save_model(request, obj, form, change)
        new_status = obj.status
        obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        ended = registry_status_change(person=obj, status=new_status, actor=request.user, ip=client_ip(request))
        obj.status = new_status
        if ended:
            self.message_user(request, _("参保状态已变更，已自动解除或终止%(n)s项共济关系。") % {"n": ended})

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
        return f"{obj.balance_yuan:.2f}"
