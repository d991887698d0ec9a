"""Proxies (代办人) at the counter: the principal comes in person, the clerk checks his ID card, scans the signed
委托书 and records the grant; a grant can be revoked here too. The rules, the letter's storage and the audit row are
bindings.delegation.proxies'; these views only collect the input and show the result."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.clerks import clerk_covers
from accounts.errors import HallError
from accounts.models import ProxyGrant
from accounts.views import client_ip
from bindings.counter import selectors
from bindings.counter.permissions import counter_required
from bindings.counter.views import TICKET_KEY
from bindings.delegation import proxies
from bindings.delegation.forms import CounterProxyGrantForm, CounterProxyRevokeForm
from bindings.rejections import DocumentRejected

CONFIRM = "confirm"  # only a POST carrying the confirm button revokes


def _ticket(request):
    return selectors.ticket_of(clerk=request.user, pk=request.session.get(TICKET_KEY))


def _grant_for_clerk(request, pk) -> ProxyGrant:
    """A grant whose principal the clerk serves; anything else is a 404, as on the rest of the desk."""
    grant = get_object_or_404(ProxyGrant.objects.select_related("principal", "agent", "granted_by"), pk=pk)
    if not clerk_covers(request.user, grant.principal.city_code):
        raise Http404
    return grant


@counter_required
def proxy_new(request, pk):
    """办理代办授权: ID card checked, the agent, the scope, the end date and the signed letter, in one form."""
    resident = selectors.person_for_clerk(clerk=request.user, pk=pk)
    form = CounterProxyGrantForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = proxies.proxy_grant_at_counter(
                clerk=request.user,
                principal=resident,
                agent_id_number=data["agent_id_number"],
                agent_name=data["agent_name"],
                may_apply=data["may_apply"],
                may_pay=data["may_pay"],
                ends_on=data["ends_on"],
                letter=data["letter"],
                id_checked=data["id_checked"],
                ip=client_ip(request),
            )
        except DocumentRejected as exc:
            form.add_error("letter", exc.message)
        except HallError as exc:
            form.add_error(None, exc.message)
        else:
            # The receipt says what was recorded, that both were told and whether the agent must register first.
            return redirect("counter:proxy_receipt", pk=grant.pk)
    context = {"person": resident, "form": form, "ticket": _ticket(request)}
    return render(request, "counter/proxy_new.html", context)


@counter_required
def proxy_receipt(request, pk):
    """What was recorded, to read back to the resident and print if he wants a copy."""
    grant = _grant_for_clerk(request, pk)
    context = {
        "grant": grant,
        "has_account": proxies.has_account(grant.agent),
        "printed_at": timezone.now(),
        "ticket": _ticket(request),
    }
    return render(request, "counter/proxy_receipt.html", context)


@counter_required
@require_POST
def proxy_revoke(request, pk):
    """From the person page: first a confirmation naming both people (ID card checked), then the revocation."""
    grant = _grant_for_clerk(request, pk)
    back = request.POST.get("person")
    back = int(back) if back and back.isdigit() else grant.principal_id
    form = CounterProxyRevokeForm(request.POST if CONFIRM in request.POST else None)
    if CONFIRM in request.POST and form.is_valid():
        try:
            proxies.proxy_revoke(grant=grant, actor=request.user, ip=client_ip(request))
        except HallError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("代办授权已撤销，立即生效；委托人和代办人都会收到通知。"))
        return redirect("counter:person", pk=back)
    context = {"grant": grant, "form": form, "back": back, "ticket": _ticket(request)}
    return render(request, "counter/proxy_revoke.html", context)
