"""The resident's application: draft, pre-check, submit, withdraw, resubmit after a request for more proof."""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.idnumbers import normalize_id_number
from accounts.models import AuditAction, InsuredPerson
from config.compiled import CompiledRead
from policies.choices import ChannelKind
from policies.eligibility import Reason, Verdict, check_eligibility, relative_face_reason

from .. import uploads
from ..codes import BindingCode
from ..makerchecker import is_sensitive
from ..models import ActorRole, Application, Binding, Document, IdType, Status
from ..notices import NoticeEvent, notify_parties
from ..numbers import lock_people, new_serial
from ..selectors import binding_facts, binding_facts_and_rows
from ..transitions import Action
from .core import BindingError, activate, binding_verdict, ensure_allowed, lock_binding, proof_missing, transition
from .endings import dissolve_expired
from .relative_face import relative_face_passed


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


# The pre-check's reads, compiled once per process (config.compiled.CompiledRead): a registry person by either
# number (each unique), and the draft's row lock.
_REGISTRY_BY = {
    field: CompiledRead(
        lambda number, field=field: InsuredPerson.objects.filter(**{field: number}).order_by(),
        fields=[InsuredPerson._meta.get_field(field)],
        stand_ins=["000000000000000000"],
        parts=[(InsuredPerson, "", None)],
        limit=1,
    )
    for field in ("id_number", "birth_certificate_no")
}
_LOCKED_APPLICATION = CompiledRead(
    lambda pk: Application.objects.select_for_update().filter(pk=pk).order_by(),
    fields=[Application._meta.pk],
    stand_ins=[0],
    parts=[(Application, "", {"id", "submitted_at"})],
)


def find_in_registry(data: RelativeInput) -> InsuredPerson | None:
    """The registry person the number names, if the name matches too (relatives, wards and proxies alike)."""
    number = normalize_id_number(data.id_number)
    field = "birth_certificate_no" if data.id_type == IdType.BIRTH_CERTIFICATE else "id_number"
    found = _REGISTRY_BY[field](number)
    person = found[0][0] if found else None
    if person is None or person.name != data.name.strip():
        return None
    return person


@transaction.atomic
def binding_add_relative(
    *, application: Application, data: RelativeInput, actor, on: date | None = None
) -> PrecheckResult:
    """Run the pre-check for one relative; when eligible, put him on the draft (once, however often resubmitted)."""
    on = on or timezone.localdate()
    # The application's row lock queues pre-checks of one draft (and its submission): only what may have changed
    # since the caller read it is read again under the lock; its authorizer and channel never change.
    locked = _LOCKED_APPLICATION(application.pk)
    if not locked:
        raise Application.DoesNotExist(f"application {application.pk} is gone")  # discarded meanwhile
    ((locked,),) = locked
    if locked.submitted_at is not None:
        raise BindingError(_("该申请已提交，不能再修改。"), code=BindingCode.ALREADY_SUBMITTED)
    relative = find_in_registry(data)
    # One read of the bindings that matter (the authorizer's, this draft's, the relative's): the engine's facts,
    # a live binding with this authorizer, and the relative's draft row all come from it.
    facts, rows = binding_facts_and_rows(
        authorizer=application.authorizer, relative=relative, on=on, application=application
    )
    verdict = check_eligibility(
        authorizer=application.authorizer,
        relative=relative,
        relationship=data.relationship,
        start=data.start_date,
        end=data.end_date,
        on=on,
        facts=facts,
        channel=application.channel,
        relative_phone=data.phone,
    )
    problems = []
    if relative is not None and any(
        b.authorizer_id == application.authorizer_id and b.relative_id == relative.pk and b.is_live_on(on) for b in rows
    ):
        problems.append(
            Reason(BindingCode.ALREADY_BOUND_TO_YOU, _("该家庭成员已与您绑定（或申请正在审核中），无需重复申请。"))
        )
    if not verdict.eligible or problems:
        return PrecheckResult(None, verdict, relative, problems)
    binding = next((b for b in rows if b.application_id == application.pk and b.relative_id == relative.pk), None)
    if binding is None:
        # The application row is locked: no other pre-check of this draft can add the same relative meanwhile
        # (and the database's unique constraint stays the last word).
        binding = Binding.objects.create(
            application=application,
            relative=relative,
            authorizer=application.authorizer,
            relationship=data.relationship,
            relative_id_type=data.id_type,
            relative_phone=data.phone,
            start_date=data.start_date,
            end_date=data.end_date,
            needs_review=verdict.needs_review,
        )
    else:
        binding.application, binding.relative = application, relative
        entered = {
            "relationship": data.relationship,
            "relative_phone": data.phone,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "relative_id_type": data.id_type,
            "needs_review": verdict.needs_review,
        }
        changed = [name for name, value in entered.items() if getattr(binding, name) != value]
        # The same relative sent again as he is (a double click, the back button): nothing to write.
        if changed:
            for name in changed:
                setattr(binding, name, entered[name])
            binding.save(update_fields=changed)
        # Proof asked for the old relationship may no longer fit; the resident sees the new checklist.
    return PrecheckResult(binding, verdict, relative)


@transaction.atomic
def binding_remove_draft(*, binding: Binding, actor) -> None:
    binding = lock_binding(binding)
    ensure_allowed(binding, Action.REMOVE_DRAFT, _("只能删除尚未提交的家庭成员。"))
    names = list(binding.documents.values_list("storage_name", flat=True))
    binding.delete()
    transaction.on_commit(lambda: [uploads.delete_document(n) for n in names])


@transaction.atomic
def application_discard(*, application: Application, actor, ip: str | None = None) -> None:
    """放弃本次申请: a draft never submitted goes, with its relatives and their uploaded files (deleted through the
    storage API once the rows are gone), so 添加家人 starts afresh. Audited: nothing else would show it happened."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.submitted_at is not None or application.bindings.exclude(status=Status.DRAFT).exists():
        raise BindingError(_("该申请已经提交，不能放弃；如需取消，请在“我的共济关系”中撤回。"))
    bindings = list(application.bindings.all())
    names = list(Document.objects.filter(binding__in=bindings).values_list("storage_name", flat=True))
    relatives = len(bindings)
    for binding in bindings:
        binding.delete()
    case_number = application.case_number
    city_code = application.city_code
    application.delete()
    audit(
        actor=actor,
        action=AuditAction.DRAFT_DISCARD,
        target=f"application:{case_number}",
        case_number=case_number,
        detail=_("放弃未提交的申请（%(n)s名家庭成员，%(d)s份材料已删除）") % {"n": relatives, "d": len(names)},
        ip=ip,
        region_code=city_code,
    )
    transaction.on_commit(lambda: [uploads.delete_document(n) for n in names])


def binding_set_pledge(*, binding: Binding, pledge: bool) -> None:
    with transaction.atomic():
        locked = lock_binding(binding)
        ensure_allowed(locked, Action.EDIT_PROOF, _("该申请已提交，不能再修改。"))
        locked.pledge = pledge
        locked.save(update_fields=["pledge"])
        binding.pledge = pledge


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
        raise BindingError(_("请阅读并勾选个人郑重承诺。"), code=BindingCode.COMMITMENT_MISSING)
    # The relatives are locked with the authorizer: a suspension recorded meanwhile is either seen by the
    # engine below, or waits and then finds the new bindings to end.
    relative_ids = application.bindings.filter(status=Status.DRAFT).values_list("relative_id", flat=True)
    lock_people([application.authorizer_id, *relative_ids])
    drafts = list(application.bindings.filter(status=Status.DRAFT).select_related("authorizer", "relative"))
    if not drafts:
        if application.submitted_at is not None:
            return list(application.bindings.all())  # a double submit: nothing more to do
        raise BindingError(_("请至少添加一位家庭成员。"), code=BindingCode.EMPTY_APPLICATION)
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
            channel=application.channel,
            relative_phone=binding.relative_phone,
        )
        verdicts[binding.pk] = verdict
        reasons += verdict.reasons
        if reason := relative_face_reason(verdict, binding.relative, verified=relative_face_passed(binding)):
            reasons.append(reason)
        missing = proof_missing(binding, verdict)
        if missing:
            reasons.append(
                Reason(
                    BindingCode.PROOF_MISSING,
                    _("%(name)s还缺少证明材料：%(kinds)s。")
                    % {"name": binding.relative.name, "kinds": "、".join(missing)},
                )
            )
    if reasons:
        raise BindingError(reasons=reasons)
    # A binding past its end date is over for the engine and the pages, but stays live in the database until
    # the daily expire_bindings run: end it now, or the new binding would collide with it.
    expired = Binding.objects.expired(timezone.localdate()).filter(relative__in=[b.relative_id for b in drafts])
    for binding in expired.select_related("application"):
        dissolve_expired(binding)
    now = timezone.now()
    application.submitted_at = now
    application.commitment_agreed_at = now
    application.save(update_fields=["submitted_at", "commitment_agreed_at"])
    done = []
    try:
        with transaction.atomic():
            for binding in drafts:
                transition(
                    binding,
                    action=Action.SUBMIT,
                    actor=actor,
                    role=role,
                    channel=application.channel,
                    submitted_at=now,
                )
                # A sensitive case waits for two clerks even where the region needs no review.
                if not verdicts[binding.pk].needs_review and not is_sensitive(binding):
                    activate(
                        binding,
                        actor=None,
                        role=ActorRole.SYSTEM,
                        channel=application.channel,
                        reason_text=_("登记信息核验通过，即时生效"),
                    )
                done.append(binding)
    except IntegrityError:
        raise BindingError(
            _("提交时该家庭成员已被其他授权人绑定或正在办理，请刷新后查看。"),
            code=BindingCode.BOUND_TO_OTHER_AUTHORIZER,
        ) from None
    for binding in done:
        notify_parties(
            binding, event=NoticeEvent.SUBMITTED if binding.status == Status.SUBMITTED else NoticeEvent.ACTIVATED
        )
    return done


def _refuse_unless_authorizer(binding: Binding, actor) -> None:
    # The event records the actor as the authorizer: nobody else may speak for him here.
    if getattr(actor, "person_id", None) != binding.authorizer_id:
        raise BindingError(_("只有授权人本人可以办理此操作。"), code=BindingCode.NOT_A_PARTY)


@transaction.atomic
def binding_withdraw(*, binding: Binding, actor) -> Binding:
    _refuse_unless_authorizer(binding, actor)
    binding = transition(
        binding,
        action=Action.WITHDRAW,
        actor=actor,
        role=ActorRole.AUTHORIZER,
        channel=ChannelKind.ONLINE_HALL,
        ended_at=timezone.now(),
    )
    notify_parties(binding, event=NoticeEvent.WITHDRAWN)
    return binding


@transaction.atomic
def binding_resubmit(*, binding: Binding, actor) -> Binding:
    _refuse_unless_authorizer(binding, actor)
    locked = lock_binding(binding)
    ensure_allowed(locked, Action.RESUBMIT, _("该申请不在待补充材料状态。"))
    verdict = binding_verdict(binding=locked)
    if not verdict.eligible:
        # An ineligible verdict carries no proof checklist, so "nothing missing" would wave it through.
        raise BindingError(reasons=verdict.reasons)
    missing = proof_missing(locked, verdict)
    if missing:
        raise BindingError(
            _("还缺少证明材料：%(kinds)s。") % {"kinds": "、".join(missing)}, code=BindingCode.PROOF_MISSING
        )
    binding = transition(
        locked,
        action=Action.RESUBMIT,
        actor=actor,
        role=ActorRole.AUTHORIZER,
        channel=ChannelKind.ONLINE_HALL,
        submitted_at=timezone.now(),
    )
    notify_parties(binding, event=NoticeEvent.SUBMITTED)
    return binding
