"""The ledger in admin: read-only for every clerk, limited to his region. Money moves only through services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin, masked_person
from bindings.models import LedgerEntry, PremiumPayment, Settlement


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyScopedAdmin):
    region_field = "person__city_code"
    list_display = ["occurred_on", "person_masked", "kind", "amount_yuan", "balance_yuan", "description", "channel"]
    list_filter = ["kind", "channel"]
    list_select_related = ["person"]
    search_fields = ["=person__id_number"]
    date_hierarchy = "occurred_on"
    show_full_result_count = False

    @admin.display(description=_("参保人"))
    def person_masked(self, obj):
        return masked_person(obj.person)

    @admin.display(description=_("金额（元）"))
    def amount_yuan(self, obj):
        return f"{obj.amount_fen / 100:,.2f}"

    @admin.display(description=_("记账后余额（元）"))
    def balance_yuan(self, obj):
        return f"{obj.balance_after_fen / 100:,.2f}"


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyScopedAdmin):
    region_field = "patient__city_code"
    list_display = ["serial", "service_date", "patient_masked", "level", "fund_fen", "own_account_fen", "shared_fen"]
    list_select_related = ["patient"]
    search_fields = ["=serial", "=patient__id_number"]
    show_full_result_count = False

    @admin.display(description=_("就诊人"))
    def patient_masked(self, obj):
        return masked_person(obj.patient)


@admin.register(PremiumPayment)
class PremiumPaymentAdmin(ReadOnlyScopedAdmin):
    region_field = "city_code"
    list_display = ["serial", "year", "beneficiary_masked", "amount_fen", "paid_at", "channel"]
    list_select_related = ["beneficiary"]
    search_fields = ["=serial"]

    @admin.display(description=_("参保人"))
    def beneficiary_masked(self, obj):
        return masked_person(obj.beneficiary)
