"""Trusted proxies (代办人): granted by the principal online after a fresh identity check (stepup.py) or at the
counter with his ID card checked and a signed 委托书 scanned; revoked by the principal at any time, ended by the
agent himself, or revoked by a counter clerk. Who may act for whom today is accounts.acting's to decide: it reads
the grants on every request, so setting `revoked_at` ends the access at once.

The rules, one place for the online hall and the counter (proxy_precheck):
- the agent is found in the registry by ID number and name, with the same look-up as a relative on an application;
- principal and agent both have full civil capacity (a minor has guardians, not a proxy);
- nobody is his own proxy;
- the end date is after today. The sources set no longest term, so none is invented here: the forms offer one year
  and say the grant can be revoked at any time;
- one open grant per pair (a database constraint): changing the scope or the term is revoke, then grant again;
- the agent need not have an account yet. He is named (the principal at the counter should not have to come
  back) and can act once he registers with his own ID card and phone; both are told so plainly.
The principal and the agent are told of every grant and revocation; each is written to the audit log too.
"""

import datetime
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import agent_of, principals_of
from accounts.audit import audit
from accounts.capacity import has_full_capacity
from accounts.clerks import region_q
from accounts.errors import HallError
from accounts.masking import mask_id_number, mask_name
from accounts.models import AuditAction, GrantChannel, InsuredPerson, ProxyGrant, ProxyScope, User

from .. import uploads
from ..counter.permissions import can_use_counter, counter_covers
from ..models import IdType
from ..notices import notify_person
from ..services.applications import RelativeInput, find_in_registry
from .stepup import StepUp


class ProxyCode(StrEnum):
    NOT_IN_REGISTRY = "not_in_registry"
    SELF = "self"
    AGENT_CAPACITY = "agent_capacity"
    PRINCIPAL_CAPACITY = "principal_capacity"
    ENDS_ON = "ends_on"
    DUPLICATE = "duplicate"
    NO_ACCOUNT = "no_account"
    ACTING_FOR_OTHER = "acting_for_other"
    STEP_UP_MISSING = "step_up_missing"
    NO_PERMISSION = "no_permission"
    OUTSIDE_REGION = "outside_region"
    ID_NOT_CHECKED = "id_not_checked"
    LETTER_MISSING = "letter_missing"
    ALREADY_ENDED = "already_ended"
    NOT_A_PARTY = "not_a_party"


class ProxyError(HallError):
    """A refusal in plain words. `grant` is the open grant a duplicate collides with, so a page can offer to
    revoke it."""

    def __init__(self, message: str, *, code: str, grant: ProxyGrant | None = None):
        super().__init__(message, code=code)
        self.grant = grant


def scope_text(grant: ProxyGrant) -> str:
    return "、".join(str(ProxyScope(s).label) for s in ProxyScope if s in grant.scopes())


def has_account(person: InsuredPerson) -> bool:
    return User.objects.filter(person=person, is_active=True).exists()


def open_grant(principal: InsuredPerson, agent: InsuredPerson) -> ProxyGrant | None:
    return ProxyGrant.objects.filter(principal=principal, agent=agent, revoked_at__isnull=True).first()


def _duplicate(grant: ProxyGrant) -> ProxyError:
    return ProxyError(
        _("已委托%(agent)s为代办人，有效期至%(ends)s。如需修改授权范围或期限，请先撤销原授权，再重新办理。")
        % {"agent": mask_name(grant.agent.name), "ends": f"{grant.ends_on:%Y-%m-%d}"},
        code=ProxyCode.DUPLICATE,
        grant=grant,
    )


def proxy_precheck(
    *, principal: InsuredPerson, agent_id_number: str, agent_name: str, ends_on: datetime.date, on=None
) -> InsuredPerson:
    """Every rule that does not need the write: the agent found, both adults, not himself, a later end date, no
    open grant in force for the pair. Returns the agent. The services run it before they write; a grant made
    meanwhile for the same pair is caught by the database constraint."""
    on = on or timezone.localdate()
    if not has_full_capacity(principal, on):
        raise ProxyError(
            _("未满18周岁的居民不能委托代办人，由监护人为其办理。请监护人登录大厅，在“家庭成员”中选择该居民后办理。"),
            code=ProxyCode.PRINCIPAL_CAPACITY,
        )
    agent = find_in_registry(RelativeInput(IdType.RESIDENT_ID, agent_id_number, agent_name, ""))
    if agent is None:
        raise ProxyError(
            _("未查到与该姓名和身份证号码相符的参保登记信息。请核对代办人的姓名和身份证号码（与身份证上一致）。"),
            code=ProxyCode.NOT_IN_REGISTRY,
        )
    if agent.pk == principal.pk:
        raise ProxyError(_("不能委托自己为代办人，请填写您信任的家人的信息。"), code=ProxyCode.SELF)
    if not has_full_capacity(agent, on):
        raise ProxyError(
            _("代办人须年满18周岁（具有完全民事行为能力）。请另选一位成年家人作为代办人。"),
            code=ProxyCode.AGENT_CAPACITY,
        )
    if ends_on <= on:
        raise ProxyError(_("授权截止日期须晚于今天，请重新选择。"), code=ProxyCode.ENDS_ON)
    existing = open_grant(principal, agent)
    if existing is not None and existing.ends_on >= on:
        raise _duplicate(existing)
    return agent


def _close_expired(principal: InsuredPerson, agent: InsuredPerson, on: datetime.date) -> None:
    """An open grant past its end date is over for accounts.acting but still holds the pair's one open place:
    close it, or the new grant would collide with it. Nobody revoked it (revoked_by stays empty): it ran out."""
    expired = ProxyGrant.objects.select_for_update().filter(
        principal=principal, agent=agent, revoked_at__isnull=True, ends_on__lt=on
    )
    for row in expired:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])


def _grant_notices(grant: ProxyGrant, *, agent_registered: bool) -> None:
    words = {
        "principal": mask_name(grant.principal.name),
        "agent": mask_name(grant.agent.name),
        "agent_id": mask_id_number(grant.agent.id_number),
        "scope": scope_text(grant),
        "ends": f"{grant.ends_on:%Y-%m-%d}",
        "channel": grant.get_granted_via_display(),
    }
    notify_person(
        grant.principal,
        title=_("代办授权已生效"),
        body=_(
            "您已授权%(agent)s（身份证%(agent_id)s）为您的代办人，范围：%(scope)s，有效期至%(ends)s（%(channel)s）。"
            "您可随时在网上服务大厅“家庭成员”页面或到医保经办窗口撤销。如非您本人办理，请立即撤销并拨打12393。"
        )
        % words,
    )
    if agent_registered:
        how = _("登录网上服务大厅后，在“家庭成员”中选择%(principal)s，即可为其办理。") % words
    else:
        how = _("您还没有注册网上服务大厅账户，请先用本人身份证号码和手机号实名注册，注册后即可为其办理。")
    notify_person(
        grant.agent,
        title=_("您已被委托为代办人"),
        body=_("%(principal)s已委托您为代办人，范围：%(scope)s，有效期至%(ends)s。") % words + how,
    )


def _audit_grant(grant: ProxyGrant, *, actor, ip: str | None, how: str) -> None:
    audit(
        actor=actor,
        action=AuditAction.PROXY_GRANT,
        target=f"proxy:{grant.pk}",
        detail=_("%(principal)s委托%(agent)s为代办人（%(scope)s），至%(ends)s；%(channel)s：%(how)s")
        % {
            "principal": mask_name(grant.principal.name),
            "agent": mask_name(grant.agent.name),
            "scope": scope_text(grant),
            "ends": f"{grant.ends_on:%Y-%m-%d}",
            "channel": grant.get_granted_via_display(),
            "how": how,
        },
        ip=ip,
        region_code=grant.region_code,
    )


def _create(*, principal, agent, actor, ip, how: str, **fields) -> ProxyGrant:
    """The write shared by both channels: one transaction for the row, its audit entry and the notices."""
    on = timezone.localdate()
    try:
        with transaction.atomic():
            # The principal's row orders concurrent grants of his; the constraint still has the last word.
            InsuredPerson.objects.select_for_update().filter(pk=principal.pk).first()
            _close_expired(principal, agent, on)
            grant = ProxyGrant.objects.create(
                principal=principal, agent=agent, starts_on=on, region_code=principal.city_code, **fields
            )
            _audit_grant(grant, actor=actor, ip=ip, how=how)
            _grant_notices(grant, agent_registered=has_account(agent))
    except IntegrityError:
        existing = open_grant(principal, agent)
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return grant


def proxy_grant_online(
    *,
    principal_user,
    agent_id_number: str,
    agent_name: str,
    may_apply: bool,
    may_pay: bool,
    ends_on: datetime.date,
    step_up: StepUp | None,
    ip: str | None = None,
) -> ProxyGrant:
    """The resident names a proxy himself, having just proved who he is (a StepUp taken from his session)."""
    acting = getattr(principal_user, "acting", None)
    if acting is not None and acting.for_someone_else:
        raise ProxyError(
            _("为家人办理时不能委托代办人。请先在页面上方切换回本人，再为自己办理。"), code=ProxyCode.ACTING_FOR_OTHER
        )
    principal = principal_user.person
    if principal is None:
        raise ProxyError(_("该账户未关联参保人员，不能委托代办人。"), code=ProxyCode.NOT_A_PARTY)
    if step_up is None or not step_up.is_fresh_for(principal_user):
        raise ProxyError(
            _("委托代办人前需要再次核验您本人的身份（短信验证码或人脸识别），核验后%(m)s分钟内有效且只能使用一次。")
            % {"m": _minutes()},
            code=ProxyCode.STEP_UP_MISSING,
        )
    agent = proxy_precheck(principal=principal, agent_id_number=agent_id_number, agent_name=agent_name, ends_on=ends_on)
    return _create(
        principal=principal,
        agent=agent,
        actor=principal_user,
        ip=ip,
        may_apply=may_apply,
        may_pay=may_pay,
        ends_on=ends_on,
        granted_via=GrantChannel.ONLINE,
        how=_("本人经%(method)s再次核验身份") % {"method": step_up.method_label},
    )


def _minutes() -> int:
    return int(settings.STEP_UP_MAX_AGE.total_seconds() // 60)


def proxy_grant_at_counter(
    *,
    clerk,
    principal: InsuredPerson,
    agent_id_number: str,
    agent_name: str,
    may_apply: bool,
    may_pay: bool,
    ends_on: datetime.date,
    letter,
    id_checked: bool,
    ip: str | None = None,
) -> ProxyGrant:
    """A clerk records the grant the principal signed in front of him. The 委托书 scan is sanitized and stored before
    the write and deleted again if anything refuses or fails after it: no row without its letter, no orphan file."""
    if not can_use_counter(clerk):
        raise ProxyError(_("您没有窗口经办权限。"), code=ProxyCode.NO_PERMISSION)
    if not InsuredPerson.objects.filter(region_q(clerk, "city_code"), pk=principal.pk).exists():
        raise ProxyError(
            _("该居民不在本窗口的经办区域参保，请到参保地医保经办窗口办理。"), code=ProxyCode.OUTSIDE_REGION
        )
    if not id_checked:
        raise ProxyError(
            _("请先当面核验委托人的居民身份证原件，并勾选“已核验委托人身份证件原件”。"), code=ProxyCode.ID_NOT_CHECKED
        )
    if not letter:
        raise ProxyError(_("请上传委托人签字的委托书扫描件或照片。"), code=ProxyCode.LETTER_MISSING)
    agent = proxy_precheck(principal=principal, agent_id_number=agent_id_number, agent_name=agent_name, ends_on=ends_on)
    sanitized = uploads.sanitize_upload(letter)  # raises DocumentRejected
    name = uploads.store_document(sanitized)
    try:
        return _create(
            principal=principal,
            agent=agent,
            actor=clerk,
            ip=ip,
            may_apply=may_apply,
            may_pay=may_pay,
            ends_on=ends_on,
            granted_via=GrantChannel.COUNTER,
            how=_("已核验委托人身份证件原件，委托书已扫描存档"),
            granted_by=clerk,
            document_name=name,
            document_type=sanitized.content_type,
        )
    except BaseException:
        uploads.delete_document(name)
        raise


class RevokedBy(StrEnum):
    PRINCIPAL = "principal"
    AGENT = "agent"
    COUNTER = "counter"


def _revoker(grant: ProxyGrant, actor) -> RevokedBy:
    acting = getattr(actor, "acting", None)
    if acting is not None and acting.for_someone_else:
        raise ProxyError(_("为家人办理时不能撤销代办授权。请先在页面上方切换回本人。"), code=ProxyCode.ACTING_FOR_OTHER)
    if getattr(actor, "is_staff", False):
        if not can_use_counter(actor):
            raise ProxyError(_("您没有窗口经办权限。"), code=ProxyCode.NO_PERMISSION)
        if counter_covers(actor, grant.principal.city_code):
            return RevokedBy.COUNTER
        raise ProxyError(
            _("该代办授权不在本窗口的经办区域，请到委托人参保地医保经办窗口办理。"), code=ProxyCode.OUTSIDE_REGION
        )
    if actor.person_id is not None and actor.person_id == grant.principal_id:
        return RevokedBy.PRINCIPAL
    if actor.person_id is not None and actor.person_id == grant.agent_id:
        return RevokedBy.AGENT
    raise ProxyError(_("只有委托人、代办人本人或医保经办窗口可以结束该授权。"), code=ProxyCode.NOT_A_PARTY)


REVOKED_BY_TEXT = {
    RevokedBy.PRINCIPAL: _("委托人本人撤销"),
    RevokedBy.AGENT: _("代办人本人申请结束"),
    RevokedBy.COUNTER: _("在医保经办窗口办理"),
}


def proxy_revoke(*, grant: ProxyGrant, actor, ip: str | None = None) -> ProxyGrant:
    """End a grant now: the principal at any time, the agent resigning, or a counter clerk of the region.
    accounts.acting re-checks on every request, so the agent's next click is his own account again."""
    with transaction.atomic():
        locked = (
            ProxyGrant.objects.select_for_update(of=("self",)).select_related("principal", "agent").get(pk=grant.pk)
        )
        by = _revoker(locked, actor)
        if locked.revoked_at is not None:
            raise ProxyError(_("该代办授权已经结束，无需再次撤销。"), code=ProxyCode.ALREADY_ENDED)
        locked.revoked_at = timezone.now()
        locked.revoked_by = agent_of(actor)
        locked.save(update_fields=["revoked_at", "revoked_by"])
        words = {
            "principal": mask_name(locked.principal.name),
            "agent": mask_name(locked.agent.name),
            "by": REVOKED_BY_TEXT[by],
            "when": f"{timezone.localtime(locked.revoked_at):%Y-%m-%d %H:%M}",
        }
        audit(
            actor=agent_of(actor),
            action=AuditAction.PROXY_REVOKE,
            target=f"proxy:{locked.pk}",
            detail=_("%(principal)s对%(agent)s的代办授权已结束（%(by)s）") % words,
            ip=ip,
            region_code=locked.region_code,
        )
        notify_person(
            locked.principal,
            title=_("代办授权已撤销"),
            body=_("您对%(agent)s的代办授权已于%(when)s结束（%(by)s），%(agent)s不能再为您办理业务。") % words,
        )
        notify_person(
            locked.agent,
            title=_("代办授权已结束"),
            body=_("%(principal)s对您的代办授权已于%(when)s结束（%(by)s），您不能再为%(principal)s办理业务。") % words,
        )
    grant.revoked_at, grant.revoked_by = locked.revoked_at, locked.revoked_by
    return locked


# --- reads --------------------------------------------------------------------------------------------------


def grants_given(principal: InsuredPerson):
    """The principal's open grants (in force, or past their end date and not yet closed), newest first."""
    return ProxyGrant.objects.filter(principal=principal, revoked_at__isnull=True).select_related("agent")


def grants_held(agent: InsuredPerson, on: datetime.date | None = None) -> list[ProxyGrant]:
    """Grants in force today in which this person is the agent: whom he may act for, as accounts.acting says."""
    return principals_of(agent, on or timezone.localdate())


def grants_of_person(person: InsuredPerson):
    """Every open grant naming this person on either side (the counter's person page)."""
    return (
        ProxyGrant.objects.filter(Q(principal=person) | Q(agent=person), revoked_at__isnull=True)
        .select_related("principal", "agent")
        .order_by("-created_at", "-id")
    )
