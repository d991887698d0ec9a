"""Ledger pages: the settlement simulator, usage records (and CSV), the monthly statement, 代缴 and caps.

Thin: forms check shape, services check rules, POST redirects (or re-renders a refused form). Login required
everywhere; other people's data is 404.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.acting import acting_scope, user_may
from accounts.audit import audit, region_of
from accounts.middleware import acting_refusal
from accounts.models import AuditAction, ProxyScope
from accounts.stepup import step_up_guard
from accounts.views import client_ip
from bindings.counter.permissions import can_use_counter
from bindings.counter.services import CounterError, person_lookup
from bindings.ledger import fieldhtml, premiums, selectors
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.forms import (
    CapForm,
    CounterPatientForm,
    ItemFormSet,
    PremiumForm,
    SimulatorForm,
    UnboundPremiumForm,
    visit_from,
)
from bindings.ledger.money import fen_text
from bindings.ledger.selectors import person_or_404
from bindings.ledger.settlement import PlaceLocation, posting_refusal
from bindings.models import Binding, IdType
from bindings.services.applications import RelativeInput, find_in_registry
from config.pagecache import viewer_page
from policies.choices import ChannelKind
from policies.selectors import relationship_label, resolved_policies, resolved_policy


def year_param(request, today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _month(request, today: datetime.date) -> datetime.date:
    try:
        return datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


# --- the settlement simulator -------------------------------------------------------------------------------


def _resolve_patient(person, value: str, on):
    """(patient, authorizer) for the simulator's patient choice. A relative one does not authorize is refused
    by the service with the reason; here only the shape is decided."""
    if value == "self":
        binding = selectors.active_binding_as_relative(person, on)
        return person, (binding.authorizer if binding else None)
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise LedgerError(_("请选择就医患者。"), code="bad_patient") from None
    binding = Binding.objects.select_related("relative").filter(pk=pk, authorizer=person).first()
    if binding is None:
        raise LedgerError(_("该患者与您之间没有家庭共济关系，不能使用您的个人账户。"), code="not_bound")
    return binding.relative, person


def _run_simulator(request, *, patients, resolve, channel, template, extra=None):
    """Shared by the resident's simulator and the counter desk: simulate on POST, post on action=post."""
    on = timezone.localdate()
    extra = dict(extra or {})
    bound = request.method == "POST"
    form = SimulatorForm(request.POST if bound else None, patients=patients)
    items = ItemFormSet(request.POST if bound else None, prefix="items")
    counter_form = extra.get("counter_form")
    plan = refusal = error = None
    patient = authorizer = None
    # 住院 takes the slip's amounts instead of the items: an empty item list is then no error.
    items_ok = form.inpatient or items.is_valid() if bound else False
    forms_ok = bound and form.is_valid() & items_ok & (counter_form.is_valid() if counter_form else True)
    if forms_ok:
        visit = visit_from(form, items)
        declared = form.cleaned_data.get("declared_fund")
        try:
            patient, authorizer = resolve(form, counter_form, on)
            binding = None
            if authorizer is not None:
                binding = selectors.binding_for_payment(authorizer=authorizer, patient=patient, on=on)
            plan = selectors.settlement_plan(
                patient=patient,
                authorizer=authorizer,
                binding=binding,
                visit=visit,
                on=on,
                declared_fund_fen=declared,
            )
            refusal = posting_refusal(plan, wants_shared=authorizer is not None)
            if request.POST.get("action") == "post":
                refused = acting_refusal(request, ProxyScope.PAY)
                if refused is not None:
                    return refused
                # The service decides again under its row locks; the preview above is only what was shown.
                settlement = ledger.settlement_post(
                    patient=patient,
                    authorizer=authorizer,
                    visit=visit,
                    actor=request.user,
                    channel=channel,
                    declared_fund_fen=declared,
                    on=on,
                    ip=client_ip(request),
                )
                messages.success(request, _("已记账，结算单号%(serial)s。") % {"serial": settlement.serial})
                return redirect("ledger:settlement", pk=settlement.pk)
        except LedgerError as exc:
            error = exc
    # Unbound, every field but the patient renders the same for everyone: kept per process and language.
    blank = None if bound else fieldhtml.blank_markup(form, items, exclude=("patient",))
    context = {
        "form": form,
        "fields": fieldhtml.Fields(form, ready=blank),
        "items": items,
        "item_management": blank["item_management"] if blank else fieldhtml.hidden_inputs(items.management_form),
        "item_rows": blank["item_rows"] if blank else fieldhtml.item_rows(items),
        "plan": plan,
        "refusal": refusal,
        "error": error,
        "patient": patient,
        "authorizer": authorizer,
        "today": on,
        **extra,
    }
    if counter_form is not None:
        context["counter_fields"] = fieldhtml.Fields(counter_form)
    return render(request, template, context, status=200)


# Posting a settlement spends the person's money as paying at a pharmacy would: it needs ProxyScope.PAY (APPLY
# is about the binding itself). Working out the bill (the preview, also a POST) changes nothing, so the view
# declares VIEW and only posting asks for PAY, refused in the middleware's words (clerks act for no one).
@login_required
@acting_scope(ProxyScope.VIEW)
@viewer_page
def simulator(request):
    """结算模拟: the resident picks the patient (himself, or a relative he authorizes) and the visit."""
    person = person_or_404(request.user)
    on = timezone.localdate()
    relatives, relative_binding = selectors.bindings_in_force_both_ways(person, on)
    patients = selectors.simulator_patients(person, on, relatives)

    def resolve(form, _counter, day):
        return _resolve_patient(person, form.cleaned_data["patient"], day)

    return _run_simulator(
        request,
        patients=patients,
        resolve=resolve,
        channel=ChannelKind.ONLINE_HALL,
        template="ledger/simulator.html",
        extra={"person": person, "relative_binding": relative_binding},
    )


# Undeclared on purpose: the desk is for clerks, who act for no one; a resident acting for someone is refused.
@login_required
def counter(request):
    """The counter desk: a clerk settles for a walk-in patient of his region, found by ID number."""
    if not can_use_counter(request.user):
        raise PermissionDenied
    counter_form = CounterPatientForm(request.POST if request.method == "POST" else None)
    patients = [("self", _("患者本人（按身份证号码查找）"))]

    def resolve(_form, cform, day):
        try:
            number = cform.cleaned_data["id_number"]
            patient = person_lookup(clerk=request.user, id_number=number, ip=client_ip(request))
        except CounterError as exc:
            raise LedgerError(exc.message, code="not_found") from None
        binding = selectors.active_binding_as_relative(patient, day)
        return patient, (binding.authorizer if binding else None)

    return _run_simulator(
        request,
        patients=patients,
        resolve=resolve,
        channel=ChannelKind.COUNTER,
        template="ledger/simulator.html",
        extra={"counter_form": counter_form, "counter": True},
    )


@login_required
def settlement(request, pk):
    settlement = selectors.settlement_for_viewer(user=request.user, pk=pk)
    viewer_id = getattr(request.user, "person_id", None)
    if viewer_id is None or viewer_id not in (settlement.patient_id, settlement.authorizer_id):
        # A counter clerk reads the slip with both names whole (he prints it for the resident): logged.
        audit(
            actor=request.user,
            action=AuditAction.REVEAL,
            target=f"settlement:{settlement.pk}",
            detail=_("查看结算单%(serial)s（完整姓名）") % {"serial": settlement.serial},
            ip=client_ip(request),
            region_code=region_of(settlement.patient),
        )
    return render(
        request,
        "ledger/settlement.html",
        {
            "settlement": settlement,
            "is_patient": viewer_id == settlement.patient_id,
            "place": PlaceLocation(settlement.location).label,
        },
    )


# --- usage records ------------------------------------------------------------------------------------------


USAGE_PER_PAGE = 20


@login_required
@viewer_page
def usage(request):
    """共济使用明细: the authorizer's shared debits by relative and month; the relative's spending and from whom."""
    person = person_or_404(request.user)
    today = timezone.localdate()
    year = year_param(request, today)
    relative_id = request.GET.get("relative")
    relative_id = int(relative_id) if relative_id and relative_id.isdigit() else None
    context = {"person": person, "year": year, "years": range(today.year, today.year - 4, -1), "today": today}
    caps, my_cap = selectors.usage_caps(person, today)
    if person.has_personal_account:
        summary = selectors.usage_by_relative_and_month(person, year=year)
        paid = selectors.shared_debits_paid(person, year=year, relative_id=relative_id)
        context.update(
            caps=caps,
            summary=summary,
            # No debit in the year's summary: none to list either (the first page, empty, as the Paginator gives).
            paid_page=selectors.window(
                selectors.usage_entries(paid, party="beneficiary"), request.GET.get("page"), USAGE_PER_PAGE
            )
            if summary
            else selectors.Window([], 1, False),
            relative_id=relative_id,
        )
    received = selectors.shared_debits_received(person, year=year)
    context.update(
        received_page=selectors.window(
            selectors.usage_entries(received, party="person"), request.GET.get("rpage"), USAGE_PER_PAGE
        ),
        my_cap=my_cap,
    )
    return render(request, "ledger/usage.html", context)


@login_required
@viewer_page
def statement(request):
    """个人账户月度对账单: opening balance, each movement with the running balance, closing balance."""
    person = person_or_404(request.user)
    today = timezone.localdate()
    month = _month(request, today)
    stmt = selectors.statement(person, month)
    previous = selectors.previous_month(month)
    following = selectors.next_month(month)
    return render(
        request,
        "ledger/statement.html",
        {
            "person": person,
            "stmt": stmt,
            "previous": previous,
            "following": following if following <= today else None,
        },
    )


# --- 代缴 ---------------------------------------------------------------------------------------------------


@login_required
@acting_scope(ProxyScope.PAY)
@viewer_page
def premium(request):
    """代缴居民医保: for each bound relative and payable year, the amount or the reason it cannot be paid."""
    person = person_or_404(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        # Paying from the personal account: a fresh identity check of the signed-in user first (accounts.stepup).
        if (verify := step_up_guard(request, next_url=request.path, why=_("缴费前，请先核验本人身份。"))) is not None:
            return verify
        return _premium_post(request, person, today)
    return _premium_page(request, person, today)


def _premium_page(request, person, today, *, unbound_form=None, unbound_quote=None, status=200):
    bindings = selectors.active_bindings_as_authorizer(person, today) if person.has_personal_account else []
    years = premiums.payable_years(today)
    # Every policy the quotes and the 代缴-without-binding choices read, resolved at once (one generation check).
    codes = {person.city_code, *(b.relative.city_code for b in bindings)}
    policies = resolved_policies(sorted(codes), today)
    records = premiums.premium_records(person, relative_ids=[b.relative_id for b in bindings], years=years)
    quotes = [
        premiums.premium_quote(
            payer=person, binding=binding, year=year, on=today, policies=policies, payments=records.for_year
        )
        for binding in bindings
        for year in years
    ]
    choices = _unbound_choices(person, today, policies[person.city_code])
    unbound_form = unbound_form or _unbound_form(person, today, choices=choices)
    return render(
        request,
        "ledger/premium.html",
        {
            "person": person,
            "quotes": quotes,
            "may_pay": user_may(request.user, ProxyScope.PAY),
            "paid": records.paid,
            "received": records.received,
            "unbound_form": unbound_form,
            "unbound_fields": fieldhtml.Fields(unbound_form),
            "unbound_quote": unbound_quote,
            "unbound_silent": _unbound_silent(choices, policies[person.city_code]),
            "unbound_labels": "、".join(str(label) for _value, label in choices),
        },
        status=status,
    )


def _unbound_choices(person, today, policy=None):
    policy = policy or resolved_policy(person.city_code, today)
    return [(r, relationship_label(r)) for r in premiums.unbound_relationships(policy, today)]


def _unbound_silent(choices, policy) -> str:
    """Why the page offers no 代缴 without a binding in the payer's region ("" when it does)."""
    if choices:
        return ""
    if policy.premium_needs_binding.value:
        return _("按当地规定，须先为家人办理家庭共济绑定，绑定后才能为其代缴居民医保费。")
    return _("您所在地区的代缴亲属范围未在来源中说明，暂不能为未绑定家庭共济的家人代缴。")


def _unbound_form(person, today, data=None, *, choices=None):
    return UnboundPremiumForm(
        data,
        relationships=_unbound_choices(person, today) if choices is None else choices,
        years=premiums.payable_years(today),
        prefix="unbound",
    )


# Looking a relative up moves no money, so it is not the `premium` view's POST (which asks for a fresh identity
# check and spends it): the page posts the look-up here and only the payment to `premium`.
@login_required
@require_POST
@acting_scope(ProxyScope.PAY)
def premium_lookup(request):
    """代缴 without a binding, first step: find the relative in the registry and show what is due, or why not."""
    person = person_or_404(request.user)
    return _premium_unbound_post(request, person, timezone.localdate(), paying=False)


def _premium_unbound_post(request, person, today, *, paying=True):
    """代缴 without a binding: look the relative up and show the amount (premium_lookup), then pay (`premium`)."""
    form = _unbound_form(person, today, request.POST)
    if not form.is_valid():
        return _premium_page(request, person, today, unbound_form=form)
    data = form.cleaned_data
    relative = find_in_registry(RelativeInput(IdType.RESIDENT_ID, data["id_number"], data["name"], ""))
    if relative is None:
        form.add_error(None, _("未在参保登记信息中找到该家人，请核对身份证号码和姓名。"))
        return _premium_page(request, person, today, unbound_form=form)
    if not paying or request.POST.get("action") != "pay":
        quote = premiums.premium_quote(
            payer=person, relative=relative, relationship=data["relationship"], year=data["year"], on=today
        )
        return _premium_page(request, person, today, unbound_form=form, unbound_quote=quote)
    if not data["confirm"]:
        form.add_error("confirm", _("请勾选“我已核对参保人、年度和金额”后再缴费。"))
        return _premium_page(request, person, today, unbound_form=form)
    try:
        payment = ledger.premium_pay(
            payer=person,
            beneficiary=relative,
            relationship=data["relationship"],
            year=data["year"],
            actor=request.user,
            on=today,
        )
    except LedgerError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:premium")
    messages.success(request, _("代缴成功。"))
    return redirect("ledger:premium_receipt", pk=payment.pk)


def _premium_post(request, person, today):
    if request.POST.get("mode") == "unbound":
        return _premium_unbound_post(request, person, today)
    form = PremiumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选“我已核对缴费人、年度和金额”后再缴费。"))
        return redirect("ledger:premium")
    binding = (
        Binding.objects.select_related("relative").filter(pk=form.cleaned_data["binding"], authorizer=person).first()
    )
    if binding is None:
        messages.error(request, _("该家人未与您绑定家庭共济，不能代缴。"))
        return redirect("ledger:premium")
    try:
        payment = ledger.premium_pay(
            payer=person, beneficiary=binding.relative, year=form.cleaned_data["year"], actor=request.user, on=today
        )
    except LedgerError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:premium")
    messages.success(request, _("代缴成功。"))
    return redirect("ledger:premium_receipt", pk=payment.pk)


@login_required
def premium_receipt(request, pk):
    payment = premiums.premium_for_viewer(user=request.user, pk=pk)
    standard = premiums.standard_for_payment(payment)
    return render(
        request,
        "ledger/premium_receipt.html",
        {
            "payment": payment,
            "relationship": relationship_label(payment.relationship)
            if payment.relationship
            else payment.binding.get_relationship_display(),
            "demo": bool(standard and standard.is_demo),
        },
    )


# --- spending caps ------------------------------------------------------------------------------------------


# A cap limits what a relative may spend: part of managing the binding (APPLY).
@login_required
@acting_scope(ProxyScope.APPLY)
def cap(request, pk):
    """The authorizer sets one relative's monthly cap."""
    person = person_or_404(request.user)
    today = timezone.localdate()
    binding = next((b for b in selectors.bindings_with_caps(person, today) if b.pk == pk), None)
    if binding is None:
        raise Http404
    initial = {"monthly_limit": fen_text(binding.cap_fen, grouped=False) if binding.cap_fen else ""}
    form = CapForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.spending_cap_set(
                binding=binding, monthly_limit_fen=form.cleaned_data["monthly_limit"], actor=request.user
            )
        except LedgerError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存%(name)s的每月共济上限。") % {"name": binding.relative.name})
            return redirect("ledger:usage")
    return render(request, "ledger/cap.html", {"binding": binding, "form": form})


@login_required
@require_POST
@acting_scope(ProxyScope.APPLY)
def cap_remove(request, pk):
    person = person_or_404(request.user)
    binding = Binding.objects.filter(pk=pk, authorizer=person).first()
    if binding is None:
        raise Http404
    try:
        ledger.spending_cap_set(binding=binding, monthly_limit_fen=None, actor=request.user)
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消每月共济上限。"))
    return redirect("ledger:usage")
