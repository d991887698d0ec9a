"""The ledger in admin: read-only for every clerk, limited to his region. Money moves only through services; the
one page that moves it, the balance correction, is a form in front of corrections.ledger_correct_balance."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedSearchMixin, ReadOnlyScopedAdmin, masked_person
from accounts.audit import audit, region_of
from accounts.models import AuditAction, InsuredPerson
from accounts.views import client_ip
from bindings.ledger.corrections import (
    change_text,
    check_correction,
    check_may_correct,
    ledger_correct_balance,
    may_correct_balances,
)
from bindings.ledger.errors import LedgerError
from bindings.ledger.forms import CorrectionForm
from bindings.ledger.money import fen_text
from bindings.models import LedgerEntry, PremiumPayment, Settlement
from policies.selectors import relationship_label


def money_column(field: str, description):
    """An admin list column showing an integer-fen field in 元 through the one formatter (never a float)."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return fen_text(getattr(obj, field))

    column.__name__ = field.removesuffix("_fen") + "_yuan"
    return column


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AuditedSearchMixin, ReadOnlyScopedAdmin):
    region_field = "person__city_code"
    list_display = [
        "occurred_on",
        "person_masked",
        "kind",
        money_column("amount_fen", _("金额（元）")),
        money_column("balance_after_fen", _("记账后余额（元）")),
        "description",
        "channel",
    ]
    list_filter = ["kind", "channel"]
    list_select_related = ["person"]
    search_fields = ["=person__id_number"]
    date_hierarchy = "occurred_on"
    show_full_result_count = False

    @admin.display(description=_("参保人"))
    def person_masked(self, obj):
        return masked_person(obj.person)

    # --- balance corrections -------------------------------------------------------------------------------
    def get_urls(self):
        correct = self.admin_site.admin_view(self.correct_view)
        return [path("correct/<int:person_pk>/", correct, name="bindings_ledgerentry_correct")] + super().get_urls()

    def correct_view(self, request, person_pk):
        """Form, then a confirmation naming the person and old -> new balance, then the service."""
        if not may_correct_balances(request.user):
            raise PermissionDenied
        person = get_object_or_404(InsuredPerson, pk=person_pk)
        try:
            check_may_correct(person=person, actor=request.user)
        except LedgerError as exc:
            audit(
                actor=request.user,
                action=AuditAction.REFUSED,
                target=f"person:{person.pk}",
                detail=f"balance_correct: {exc.message}",
                ip=client_ip(request),
                region_code=region_of(person),
            )
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:bindings_ledgerentry_changelist"))
        form = CorrectionForm(request.POST if request.method == "POST" else None)
        amount_fen = None
        if form.is_bound and form.is_valid() and "back" not in request.POST:
            amount_fen = form.signed_amount_fen()
            try:
                if "confirm" in request.POST:
                    entry = ledger_correct_balance(
                        person=person,
                        amount_fen=amount_fen,
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                        ip=client_ip(request),
                        expected_balance_fen=form.cleaned_data["expected_balance"],
                    )
                    return self._corrected(request, person, entry)
                check_correction(
                    person=person, actor=request.user, amount_fen=amount_fen, reason=form.cleaned_data["reason"]
                )
            except LedgerError as exc:
                form.add_error(None, exc.message)
                person.refresh_from_db()
                amount_fen = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _t("更正个人账户余额"),
            "person": person,
            "person_label": masked_person(person),
            "form": form,
            "confirming": amount_fen is not None,
        }
        if amount_fen is not None:
            context.update(change_label=change_text(amount_fen), new_balance_fen=person.balance_fen + amount_fen)
        return TemplateResponse(request, "admin/bindings/ledgerentry/correct.html", context)

    def _corrected(self, request, person, entry):
        self.message_user(
            request,
            _t("已更正%(person)s的个人账户余额：%(change)s，余额%(old)s元→%(new)s元。")
            % {
                "person": masked_person(person),
                "change": change_text(entry.amount_fen),
                "old": fen_text(entry.balance_after_fen - entry.amount_fen),
                "new": fen_text(entry.balance_after_fen),
            },
        )
        url = reverse("admin:bindings_ledgerentry_changelist")
        return HttpResponseRedirect(f"{url}?person__id__exact={person.pk}")


@admin.register(Settlement)
class SettlementAdmin(AuditedSearchMixin, ReadOnlyScopedAdmin):
    region_field = "patient__city_code"
    list_display = [
        "serial",
        "service_date",
        "patient_masked",
        "care",
        "level",
        "fund_source",
        money_column("fund_fen", _("统筹基金支付（元）")),
        money_column("own_account_fen", _("本人个人账户支付（元）")),
        money_column("shared_fen", _("共济余额支付（元）")),
    ]
    list_select_related = ["patient"]
    list_filter = ["care", "fund_source"]
    search_fields = ["=serial", "=patient__id_number"]
    show_full_result_count = False

    @admin.display(description=_("就诊人"))
    def patient_masked(self, obj):
        return masked_person(obj.patient)


@admin.register(PremiumPayment)
class PremiumPaymentAdmin(ReadOnlyScopedAdmin):
    region_field = "city_code"
    list_display = [
        "serial",
        "year",
        "beneficiary_masked",
        "relationship_label",
        money_column("amount_fen", _("金额（元）")),
        money_column("late_fen", _("其中逾期另缴（元）")),
        "paid_at",
        "channel",
    ]
    list_select_related = ["beneficiary"]
    search_fields = ["=serial"]

    @admin.display(description=_("参保人"))
    def beneficiary_masked(self, obj):
        return masked_person(obj.beneficiary)

    @admin.display(description=_("与缴费人关系"))
    def relationship_label(self, obj):
        label = relationship_label(obj.relationship) if obj.relationship else ""
        return label if obj.binding_id else _("%(rel)s（未绑定共济）") % {"rel": label}
