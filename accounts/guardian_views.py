"""A minor's own account and his guardian, as pages: the sign-in a minor's account may not have yet, the page after
a 14- to 17-year-old registers, the guardian's 监护人确认 page, and the minor's 请监护人办理 button.

The rules are accounts.capacity (who needs a guardian) and bindings.delegation.consent (who is asked, what a
decision does); these views only show them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bindings.delegation import consent

from . import ratelimit
from .acting import acting_scope, agent_of, own_acting
from .capacity import AccountBlock
from .masking import mask_name
from .models import ProxyScope

PENDING_SESSION_KEY = "registered_pending"
ASKS_PER_HOUR = 5


def account_blocked(request, block: AccountBlock):
    """The sign-in was right but the account may not be used yet: say why and what to do (no failed attempt)."""
    context = {"under_age": block == AccountBlock.UNDER_OWN_ACCOUNT_AGE}
    return render(request, "accounts/guardian_blocked.html", context, status=403)


def pending_registration(request, user):
    """After a 14- to 17-year-old registered: ask his guardians, then show him (once) what happens next."""
    asked = consent.consent_ask(account=user)
    request.session[PENDING_SESSION_KEY] = [mask_name(person.name) for person in asked]
    return redirect("accounts:register_pending")


def register_pending(request):
    asked = request.session.get(PENDING_SESSION_KEY)
    if asked is None:
        return redirect("accounts:register")
    return render(request, "accounts/guardian_pending.html", {"asked": asked})


@login_required
def guardian_consent(request):
    """监护人确认: the accounts of his wards and children waiting for his answer (he sees their names in full)."""
    person = agent_of(request.user).person
    accounts = consent.pending_accounts(guardian=person) if person is not None else []
    today = timezone.localdate()
    rows = [{"account": a, "age": a.person.age_on(today)} for a in accounts]
    return render(request, "accounts/guardian_consent.html", {"rows": rows})


@acting_scope(None)  # the guardian answers as himself, also while the switcher has him acting for the child
@login_required
@require_POST
def guardian_consent_decide(request, pk):
    guardian_user = agent_of(request.user)
    if guardian_user.person is None:
        raise Http404
    account = consent.pending_account_for(guardian=guardian_user.person, pk=pk)
    if account is None:
        raise Http404  # a stranger's account, or one another guardian answered: nothing to tell
    agree = request.POST.get("decision") == "agree"
    try:
        consent.consent_decide(account=account, guardian_user=guardian_user, agree=agree)
    except consent.ConsentError as exc:
        messages.error(request, exc.message)
    else:
        name = account.person.name
        if agree:
            messages.success(
                request, _("您已同意%(name)s使用自己的账户，已短信通知%(name)s可以登录。") % {"name": name}
            )
        else:
            messages.info(request, _("您没有同意，%(name)s的账户已注销。") % {"name": name})
    return redirect("accounts:guardian_consent")


def _back(request) -> str:
    candidate = request.POST.get("back", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@acting_scope(None)  # asking is no change: it only tells his guardians
@login_required
@require_POST
def guardian_ask(request):
    """请监护人办理: a resident without full capacity asks his guardians to do what he may not do himself."""
    acting = own_acting(agent_of(request.user))
    if acting is None or acting.may(ProxyScope.APPLY):
        messages.info(request, _("您可以自己办理此项业务，不需要监护人代办。"))
        return redirect(_back(request))
    hit = ratelimit.hit(ratelimit.bucket_key("guardian-ask", str(request.user.pk)), now=timezone.now())
    if hit.total > ASKS_PER_HOUR:
        messages.warning(request, _("您已多次请监护人办理，请稍后再试，或直接与您的监护人联系。"))
        return redirect(_back(request))
    what, asked = consent.guardian_ask(user=acting.agent, path=request.POST.get("path", ""))
    if asked:
        names = "、".join(mask_name(person.name) for person in asked)
        messages.success(request, _("已通知您的监护人%(names)s为您办理：%(what)s。") % {"names": names, "what": what})
    else:
        messages.warning(
            request,
            _("大厅里还没有您的监护人的账户，无法通知。请您的父母或其他监护人注册账户，在“家庭成员”中添加您后办理。"),
        )
    return redirect(_back(request))
