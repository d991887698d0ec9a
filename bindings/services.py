"""Every write to bindings. Views, admin actions, the counter desk and management commands call these.

Each transition locks its row, checks the source state, writes the new state and a BindingEvent in one
transaction, and tells both parties. Status is never written anywhere else.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.idnumbers import normalize_id_number
from accounts.models import AuditAction, InsuranceStatus, InsuredPerson
from policies.choices import ChannelKind
from policies.eligibility import Reason, Verdict, check_eligibility
from policies.relationships import Relationship

from . import documents as docs
from .models import (
    LIVE_STATUSES,
    ActorRole,
    Application,
    Binding,
    BindingEvent,
    DissolveReason,
    Document,
    IdType,
    RejectReason,
    Status,
)
from .notices import notify_parties
from .numbers import lock_people, new_serial
from .selectors import binding_facts, live_binding_with

logger = logging.getLogger("hall.bindings")


class BindingError(Exception):
    """A refusal the resident or clerk can read: one message, or every reason the engine gave."""

    def __init__(self, message: str = "", *, reasons: list[Reason] | None = None, code: str = ""):
        self.reasons = list(reasons or [])
        self.message = message or "；".join(r.message for r in self.reasons)
        self.code = code or (self.reasons[0].code if self.reasons else "refused")
        super().__init__(self.message)


# --- internals -------------------------------------------------------------------------------------------


def _event(binding, *, actor, role, from_status, to_status, channel, reason_code="", reason_text=""):
    BindingEvent.objects.create(
        binding=binding,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        reason_code=reason_code,
        reason_text=reason_text,
        channel=channel,
    )


def _lock(binding: Binding) -> Binding:
    # of=("self",): lock the binding row only. Without it PostgreSQL also locks the joined application and both
    # people FOR UPDATE, and a clerk's approval then deadlocks with a status change holding one of those people.
    return (
        Binding.objects.select_for_update(of=("self",))
        .select_related("application", "authorizer", "relative")
        .get(pk=binding.pk)
    )


def _transition(
    binding: Binding,
    *,
    to: Status,
    allowed_from: tuple,
    actor,
    role: ActorRole,
    channel: str,
    reason_code: str = "",
    reason_text: str = "",
    **changes,
) -> Binding:
    """Move one locked binding from an allowed state to `to`, with its audit row. Caller holds a transaction."""
    locked = _lock(binding)
    if locked.status not in allowed_from:
        raise BindingError(
            _("该申请当前状态为“%(now)s”，不能执行此操作，请刷新页面查看最新状态。")
            % {"now": locked.get_status_display()},
            code="wrong_state",
        )
    before = locked.status
    locked.status = to
    fields = ["status"]
    for name, value in changes.items():
        setattr(locked, name, value)
        fields.append(name)
    if reason_code or reason_text:
        locked.reason_code, locked.reason_text = reason_code, reason_text
        fields += ["reason_code", "reason_text"]
    locked.save(update_fields=fields)
    _event(
        locked,
        actor=actor,
        role=role,
        from_status=before,
        to_status=to,
        channel=channel,
        reason_code=reason_code,
        reason_text=reason_text,
    )
    binding.__dict__.update({k: getattr(locked, k) for k in ["status", *changes, "reason_code", "reason_text"]})
    return locked


def _verdict_for(binding: Binding, *, on: date) -> Verdict:
    facts = binding_facts(authorizer=binding.authorizer, relative=binding.relative, on=on)
    return check_eligibility(
        authorizer=binding.authorizer,
        relative=binding.relative,
        relationship=binding.relationship,
        start=binding.start_date,
        end=binding.end_date,
        on=on,
        facts=facts,
    )


def binding_verdict(*, binding: Binding, on: date | None = None) -> Verdict:
    """The engine's answer for an existing binding, recomputed now (clerks see this on every case)."""
    return _verdict_for(binding, on=on or timezone.localdate())


def _proof_missing(binding: Binding, verdict: Verdict) -> list[str]:
    have = set(binding.documents.values_list("kind", flat=True))
    missing = []
    for requirement in verdict.proof:
        if requirement.kind in have:
            continue
        if requirement.pledge_allowed and binding.pledge:
            continue
        if not requirement.upload_required:
            continue  # checked against registry data or by face verification, nothing to upload
        missing.append(str(requirement.label))
    return missing


# --- the application --------------------------------------------------------------------------------------


@transaction.atomic
def application_start(*, authorizer: InsuredPerson, actor, channel: str = ChannelKind.ONLINE_HALL) -> Application:
    """Open a draft after the authorizer has read the region's notice (告知书)."""
    now = timezone.now()
    return Application.objects.create(
        case_number=new_serial("GJ", Application, "case_number", timezone.localdate()),
        authorizer=authorizer,
        created_by=actor,
        channel=channel,
        city_code=authorizer.city_code,
        notice_agreed_at=now,
    )


@dataclass
class RelativeInput:
    id_type: str
    id_number: str
    name: str
    relationship: str
    phone: str = ""
    start_date: date | None = None
    end_date: date | None = None


@dataclass
class PrecheckResult:
    binding: Binding | None
    verdict: Verdict
    relative: InsuredPerson | None = None
    problems: list[Reason] = field(default_factory=list)


def _find_relative(data: RelativeInput) -> InsuredPerson | None:
    number = normalize_id_number(data.id_number)
    if data.id_type == IdType.BIRTH_CERTIFICATE:
        person = InsuredPerson.objects.filter(birth_certificate_no=number).first()
    else:
        person = InsuredPerson.objects.filter(id_number=number).first()
    if person is None or person.name != data.name.strip():
        return None
    return person


@transaction.atomic
def binding_add_relative(
    *, application: Application, data: RelativeInput, actor, on: date | None = None
) -> PrecheckResult:
    """Run the pre-check for one relative; when eligible, put him on the draft (once, however often resubmitted)."""
    on = on or timezone.localdate()
    application = Application.objects.select_for_update().select_related("authorizer").get(pk=application.pk)
    if application.submitted_at is not None:
        raise BindingError(_("该申请已提交，不能再修改。"), code="already_submitted")
    relative = _find_relative(data)
    facts = binding_facts(authorizer=application.authorizer, relative=relative, on=on, application=application)
    verdict = check_eligibility(
        authorizer=application.authorizer,
        relative=relative,
        relationship=data.relationship,
        start=data.start_date,
        end=data.end_date,
        on=on,
        facts=facts,
    )
    problems = []
    if relative is not None and live_binding_with(authorizer=application.authorizer, relative=relative, on=on):
        problems.append(Reason("already_bound_to_you", _("该家庭成员已与您绑定（或申请正在审核中），无需重复申请。")))
    if not verdict.eligible or problems:
        return PrecheckResult(None, verdict, relative, problems)
    binding, created = Binding.objects.get_or_create(
        application=application,
        relative=relative,
        defaults={
            "authorizer": application.authorizer,
            "relationship": data.relationship,
            "relative_id_type": data.id_type,
            "relative_phone": data.phone,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "needs_review": verdict.needs_review,
        },
    )
    if not created:
        binding.relationship, binding.relative_phone = data.relationship, data.phone
        binding.start_date, binding.end_date = data.start_date, data.end_date
        binding.relative_id_type, binding.needs_review = data.id_type, verdict.needs_review
        binding.save(
            update_fields=[
                "relationship",
                "relative_phone",
                "start_date",
                "end_date",
                "relative_id_type",
                "needs_review",
            ]
        )
        # Proof asked for the old relationship may no longer fit; the resident sees the new checklist.
    return PrecheckResult(binding, verdict, relative)


@transaction.atomic
def binding_remove_draft(*, binding: Binding, actor) -> None:
    binding = _lock(binding)
    if binding.status != Status.DRAFT:
        raise BindingError(_("只能删除尚未提交的家庭成员。"), code="wrong_state")
    names = list(binding.documents.values_list("storage_name", flat=True))
    binding.delete()
    transaction.on_commit(lambda: [docs.delete_document(n) for n in names])


def binding_set_pledge(*, binding: Binding, pledge: bool) -> None:
    with transaction.atomic():
        locked = _lock(binding)
        if locked.status not in (Status.DRAFT, Status.RETURNED):
            raise BindingError(_("该申请已提交，不能再修改。"), code="wrong_state")
        locked.pledge = pledge
        locked.save(update_fields=["pledge"])
        binding.pledge = pledge


def document_add(*, binding: Binding, kind: str, upload, actor) -> Document:
    """Sanitize, store privately, record. A refusal or failure leaves neither a row nor a file."""
    wanted = {r.kind for r in binding_verdict(binding=binding).proof if r.upload_required}
    if kind not in wanted:
        raise BindingError(_("该材料不在本次申请的材料清单中，请按清单上传。"), code="proof_kind_not_asked")
    sanitized = docs.sanitize_upload(upload)  # raises DocumentRejected
    existing_total = sum(binding.application.bindings.values_list("documents__size", flat=True).exclude(documents=None))
    docs.check_application_total(existing_total, sanitized.size)
    name = docs.store_document(sanitized)
    try:
        with transaction.atomic():
            locked = _lock(binding)
            if locked.status not in (Status.DRAFT, Status.RETURNED):
                raise BindingError(_("该申请已提交，不能再上传材料。"), code="wrong_state")
            duplicate = Document.objects.filter(binding=locked, kind=kind, sha256=sanitized.sha256).first()
            if duplicate:
                docs.delete_document(name)
                return duplicate
            return Document.objects.create(
                binding=locked,
                kind=kind,
                storage_name=name,
                content_type=sanitized.content_type,
                size=sanitized.size,
                sha256=sanitized.sha256,
                width=sanitized.width,
                height=sanitized.height,
                pages=sanitized.pages,
                uploaded_by=actor,
            )
    except BaseException:
        docs.delete_document(name)
        raise


@transaction.atomic
def document_remove(*, document: Document, actor) -> None:
    binding = _lock(document.binding)
    if binding.status not in (Status.DRAFT, Status.RETURNED):
        raise BindingError(_("该申请已提交，不能删除材料。"), code="wrong_state")
    name = document.storage_name
    document.delete()
    transaction.on_commit(lambda: docs.delete_document(name))


def _activate(binding: Binding, *, actor, role, channel, reason_text: str = "") -> Binding:
    return _transition(
        binding,
        to=Status.ACTIVE,
        allowed_from=(Status.SUBMITTED,),
        actor=actor,
        role=role,
        channel=channel,
        reason_text=reason_text,
        activated_at=timezone.now(),
    )


@transaction.atomic
def application_submit(
    *, application: Application, actor, role: ActorRole = ActorRole.AUTHORIZER, commitment: bool, on: date | None = None
) -> list[Binding]:
    """Submit every draft relative of an application at once, or none of them.

    The application, then the registry rows of the authorizer and the relatives are locked before anything is
    read, so concurrent submissions for one authorizer queue up and the limits at once and in total are checked
    against what is really there.
    """
    on = on or timezone.localdate()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.submitted_at is not None and not application.bindings.filter(status=Status.DRAFT).exists():
        return list(application.bindings.all())  # a double submit: nothing more to do
    if not commitment:
        raise BindingError(_("请阅读并勾选个人郑重承诺。"), code="commitment_missing")
    # The relatives are locked with the authorizer: a suspension recorded meanwhile is either seen by the
    # engine below, or waits and then finds the new bindings to end.
    relative_ids = application.bindings.filter(status=Status.DRAFT).values_list("relative_id", flat=True)
    lock_people([application.authorizer_id, *relative_ids])
    drafts = list(application.bindings.filter(status=Status.DRAFT).select_related("authorizer", "relative"))
    if not drafts:
        if application.submitted_at is not None:
            return list(application.bindings.all())  # a double submit: nothing more to do
        raise BindingError(_("请至少添加一位家庭成员。"), code="empty_application")
    reasons: list[Reason] = []
    verdicts = {}
    for binding in drafts:
        # Places taken by the other drafts of this application count, as on the pre-check.
        facts = binding_facts(
            authorizer=application.authorizer, relative=binding.relative, on=on, application=application
        )
        verdict = check_eligibility(
            authorizer=binding.authorizer,
            relative=binding.relative,
            relationship=binding.relationship,
            start=binding.start_date,
            end=binding.end_date,
            on=on,
            facts=facts,
        )
        verdicts[binding.pk] = verdict
        reasons += verdict.reasons
        missing = _proof_missing(binding, verdict)
        if missing:
            reasons.append(
                Reason(
                    "proof_missing",
                    _("%(name)s还缺少证明材料：%(kinds)s。")
                    % {"name": binding.relative.name, "kinds": "、".join(missing)},
                )
            )
    if reasons:
        raise BindingError(reasons=reasons)
    # A binding past its end date is over for the engine and the pages, but stays live in the database until
    # the daily expire_bindings run: end it now, or the new binding would collide with it.
    expired = Binding.objects.filter(
        relative__in=[b.relative_id for b in drafts], status=Status.ACTIVE, end_date__lt=timezone.localdate()
    )
    for binding in expired.select_related("application"):
        _dissolve_expired(binding)
    now = timezone.now()
    application.submitted_at = now
    application.commitment_agreed_at = now
    application.save(update_fields=["submitted_at", "commitment_agreed_at"])
    done = []
    try:
        with transaction.atomic():
            for binding in drafts:
                _transition(
                    binding,
                    to=Status.SUBMITTED,
                    allowed_from=(Status.DRAFT,),
                    actor=actor,
                    role=role,
                    channel=application.channel,
                    submitted_at=now,
                )
                # A sensitive case waits for two clerks even where the region needs no review.
                if not verdicts[binding.pk].needs_review and not is_sensitive(binding):
                    _activate(
                        binding,
                        actor=None,
                        role=ActorRole.SYSTEM,
                        channel=application.channel,
                        reason_text=_("登记信息核验通过，即时生效"),
                    )
                done.append(binding)
    except IntegrityError:
        raise BindingError(
            _("提交时该家庭成员已被其他授权人绑定或正在办理，请刷新后查看。"), code="bound_to_other_authorizer"
        ) from None
    for binding in done:
        notify_parties(binding, event="submitted" if binding.status == Status.SUBMITTED else "activated")
    return done


# --- decisions and endings ------------------------------------------------------------------------------


@transaction.atomic
def binding_withdraw(*, binding: Binding, actor) -> Binding:
    binding = _transition(
        binding,
        to=Status.WITHDRAWN,
        allowed_from=(Status.SUBMITTED, Status.RETURNED),
        actor=actor,
        role=ActorRole.AUTHORIZER,
        channel=ChannelKind.ONLINE_HALL,
        ended_at=timezone.now(),
    )
    notify_parties(binding, event="withdrawn")
    return binding


# Relatives beyond spouse, parents and children, when only a pledge stands for the proof, get a second look.
SENSITIVE_RELATIONSHIPS = {
    Relationship.SIBLING,
    Relationship.GRANDPARENT,
    Relationship.MATERNAL_GRANDPARENT,
    Relationship.GRANDCHILD,
    Relationship.MATERNAL_GRANDCHILD,
}
FIRST_APPROVAL = "first_approval"


def _clerk_is_party(binding: Binding, clerk) -> bool:
    person_id = getattr(clerk, "person_id", None)
    return person_id is not None and person_id in (binding.authorizer_id, binding.relative_id)


def is_sensitive(binding: Binding) -> bool:
    """An adult sibling, grandparent or grandchild vouched for by a pledge alone."""
    adult = binding.relative.age_on(timezone.localdate()) >= 18
    pledge_only = binding.pledge and not binding.documents.exists()
    return binding.relationship in SENSITIVE_RELATIONSHIPS and adult and pledge_only


def needs_second_approval(binding: Binding, clerk) -> bool:
    """Maker-checker: a sensitive case, or one where the deciding clerk is himself a party."""
    return is_sensitive(binding) or _clerk_is_party(binding, clerk)


def _first_approval(binding: Binding) -> BindingEvent | None:
    """The first approval given since the binding was last submitted, if any."""
    last_submit = binding.events.filter(to_status=Status.SUBMITTED).exclude(reason_code=FIRST_APPROVAL).last()
    events = binding.events.filter(reason_code=FIRST_APPROVAL)
    if last_submit is not None:
        events = events.filter(pk__gt=last_submit.pk)
    return events.last()


def _audit_clerk(clerk, action, binding, *, detail="", ip=None):
    if getattr(clerk, "is_staff", False):
        audit(
            actor=clerk,
            action=action,
            target=f"binding:{binding.pk}",
            case_number=binding.application.case_number,
            detail=detail,
            ip=ip,
        )


def _refuse_party_clerk(binding: Binding, clerk) -> None:
    if _clerk_is_party(binding, clerk):
        raise BindingError(_("您是该申请的当事人，须回避，由其他经办人员审核。"), code="clerk_is_party")


@transaction.atomic
def binding_approve(
    *, binding: Binding, clerk, note: str = "", channel: str = ChannelKind.ONLINE_HALL, ip: str | None = None
) -> Binding:
    """A clerk approves: only when the engine, asked again now, still says eligible.

    A case that needs two clerks is only marked as first-approved by the first one; a second, different clerk
    who is not a party then makes it active.
    """
    locked = _lock(binding)
    if locked.status != Status.SUBMITTED:
        raise BindingError(
            _("该申请当前状态为“%(now)s”，不能审核通过。") % {"now": locked.get_status_display()}, code="wrong_state"
        )
    verdict = _verdict_for(locked, on=timezone.localdate())
    if not verdict.eligible:
        raise BindingError(reasons=verdict.reasons)
    if needs_second_approval(locked, clerk):
        first = _first_approval(locked)
        if first is None:
            _event(
                locked,
                actor=clerk,
                role=ActorRole.CLERK,
                from_status=Status.SUBMITTED,
                to_status=Status.SUBMITTED,
                channel=channel,
                reason_code=FIRST_APPROVAL,
                reason_text=note or _("初审通过，待另一名经办人员复核"),
            )
            _audit_clerk(clerk, AuditAction.FIRST_APPROVE, locked, detail=note, ip=ip)
            return locked
        if first.actor_id == getattr(clerk, "pk", None):
            raise BindingError(_("该申请须由另一名经办人员复核，初审人不能再次审核。"), code="same_clerk")
        _refuse_party_clerk(locked, clerk)
    binding = _activate(locked, actor=clerk, role=ActorRole.CLERK, channel=channel, reason_text=note)
    _audit_clerk(clerk, AuditAction.APPROVE, binding, detail=note, ip=ip)
    notify_parties(binding, event="activated")
    return binding


@transaction.atomic
def binding_reject(
    *, binding: Binding, clerk, reason_code: str, reason_text: str = "", channel=ChannelKind.ONLINE_HALL, ip=None
):
    _refuse_party_clerk(binding, clerk)
    if reason_code not in RejectReason.values:
        raise BindingError(_("请选择驳回原因。"), code="reason_missing")
    if reason_code == RejectReason.OTHER and not reason_text.strip():
        raise BindingError(_("驳回原因为“其他”时，请填写具体说明。"), code="reason_missing")
    binding = _transition(
        binding,
        to=Status.REJECTED,
        allowed_from=(Status.SUBMITTED,),
        actor=clerk,
        role=ActorRole.CLERK,
        channel=channel,
        reason_code=reason_code,
        reason_text=reason_text.strip(),
        ended_at=timezone.now(),
    )
    _audit_clerk(clerk, AuditAction.REJECT, binding, detail=f"{reason_code} {reason_text}".strip(), ip=ip)
    notify_parties(binding, event="rejected")
    return binding


@transaction.atomic
def binding_request_more(
    *, binding: Binding, clerk, missing_note: str, channel=ChannelKind.ONLINE_HALL, ip=None
) -> Binding:
    _refuse_party_clerk(binding, clerk)
    if not missing_note.strip():
        raise BindingError(_("请写明需要补充的材料。"), code="reason_missing")
    binding = _transition(
        binding,
        to=Status.RETURNED,
        allowed_from=(Status.SUBMITTED,),
        actor=clerk,
        role=ActorRole.CLERK,
        channel=channel,
        reason_text=missing_note.strip(),
        missing_note=missing_note.strip(),
    )
    _audit_clerk(clerk, AuditAction.REQUEST_MORE, binding, detail=missing_note.strip(), ip=ip)
    notify_parties(binding, event="returned")
    return binding


@transaction.atomic
def binding_resubmit(*, binding: Binding, actor) -> Binding:
    locked = _lock(binding)
    if locked.status != Status.RETURNED:
        raise BindingError(_("该申请不在待补充材料状态。"), code="wrong_state")
    verdict = _verdict_for(locked, on=timezone.localdate())
    if not verdict.eligible:
        # An ineligible verdict carries no proof checklist, so "nothing missing" would wave it through.
        raise BindingError(reasons=verdict.reasons)
    missing = _proof_missing(locked, verdict)
    if missing:
        raise BindingError(_("还缺少证明材料：%(kinds)s。") % {"kinds": "、".join(missing)}, code="proof_missing")
    binding = _transition(
        locked,
        to=Status.SUBMITTED,
        allowed_from=(Status.RETURNED,),
        actor=actor,
        role=ActorRole.AUTHORIZER,
        channel=ChannelKind.ONLINE_HALL,
        submitted_at=timezone.now(),
    )
    notify_parties(binding, event="submitted")
    return binding


@transaction.atomic
def binding_dissolve(
    *, binding: Binding, actor, role: ActorRole, reason_code: str, channel: str = ChannelKind.ONLINE_HALL
) -> Binding:
    binding = _transition(
        binding,
        to=Status.DISSOLVED,
        allowed_from=(Status.ACTIVE,),
        actor=actor,
        role=role,
        channel=channel,
        reason_code=reason_code,
        ended_at=timezone.now(),
    )
    notify_parties(binding, event="dissolved")
    return binding


def binding_dissolve_by_party(*, binding: Binding, user) -> Binding:
    """The authorizer or the relative ends a binding himself."""
    if user.person_id == binding.authorizer_id:
        role, reason = ActorRole.AUTHORIZER, DissolveReason.BY_AUTHORIZER
    elif user.person_id == binding.relative_id:
        role, reason = ActorRole.RELATIVE, DissolveReason.BY_RELATIVE
    else:
        raise BindingError(_("您不是该共济关系的当事人。"), code="not_a_party")
    return binding_dissolve(binding=binding, actor=user, role=role, reason_code=reason)


@transaction.atomic
def registry_status_change(
    *, person: InsuredPerson, status: str, actor, channel: str = ChannelKind.COUNTER, ip: str | None = None
) -> int:
    """Change a registry person's insurance status; suspension or termination ends all his bindings at once.

    Returns how many bindings were ended.
    """
    lock_people([person.pk])
    person = InsuredPerson.objects.get(pk=person.pk)
    if status not in InsuranceStatus.values:
        raise BindingError(_("未知的参保状态。"), code="bad_status")
    before = person.status
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    if getattr(actor, "is_staff", False):
        audit(
            actor=actor,
            action=AuditAction.STATUS_CHANGE,
            target=f"person:{person.pk}",
            detail=f"{before} -> {status}",
            ip=ip,
        )
    if status == InsuranceStatus.NORMAL:
        return 0
    reason = (
        DissolveReason.INSURANCE_SUSPENDED
        if status == InsuranceStatus.SUSPENDED
        else DissolveReason.INSURANCE_TERMINATED
    )
    ended = 0
    # Lock his live bindings in one order and act on what the lock shows: one approved, dissolved or ended
    # by a concurrent transaction is seen as it now is, not as an earlier read had it.
    affected = (
        Binding.objects.select_for_update()
        .filter(Q(authorizer=person) | Q(relative=person), status__in=LIVE_STATUSES)
        .order_by("pk")
    )
    for binding in list(affected):
        if binding.status == Status.ACTIVE:
            binding_dissolve(binding=binding, actor=actor, role=ActorRole.SYSTEM, reason_code=reason, channel=channel)
        else:
            binding = _transition(
                binding,
                to=Status.REJECTED,
                allowed_from=(Status.SUBMITTED, Status.RETURNED),
                actor=actor,
                role=ActorRole.SYSTEM,
                channel=channel,
                reason_code=RejectReason.INSURANCE_ABNORMAL,
                reason_text=str(DissolveReason(reason).label),
                ended_at=timezone.now(),
            )
            notify_parties(binding, event="rejected")
        ended += 1
    return ended


def _dissolve_expired(binding: Binding) -> Binding:
    return binding_dissolve(
        binding=binding,
        actor=None,
        role=ActorRole.SYSTEM,
        reason_code=DissolveReason.END_DATE_PASSED,
        channel=binding.application.channel,
    )


def bindings_expire(*, today: date | None = None) -> int:
    """End active bindings whose end date has passed (run daily from cron: `manage.py expire_bindings`)."""
    today = today or timezone.localdate()
    ended = 0
    for binding in Binding.objects.filter(status=Status.ACTIVE, end_date__lt=today):
        with transaction.atomic():
            try:
                _dissolve_expired(binding)
            except BindingError:
                continue  # changed meanwhile
        ended += 1
    return ended
