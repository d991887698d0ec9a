"""Guardianship records: a resident asks to be recorded as a minor's guardian, a clerk decides, the guardian ends it.

A parent whose link to the child is in the registry (FamilyLink, from 户籍 or 出生医学证明 data) is verified at
once. Anyone else proves the basis with a document: a parent without the link uploads the 户口簿 or 出生医学证明,
a guardian appointed by a court, a residents' committee or the civil-affairs office uploads the appointment; a
clerk of the ward's region then decides, with the same rules as a binding decision: the permission, the region,
no clerk deciding his own family's case, a reason for every rejection, and an audit row in the same transaction.
Who may act for whom once a guardianship is active is accounts.acting's answer, not this module's.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit
from accounts.capacity import has_full_capacity
from accounts.clerks import region_q
from accounts.errors import HallError
from accounts.masking import mask_name
from accounts.models import (
    AuditAction,
    DelegationStatus,
    FamilyLink,
    GuardianBasis,
    Guardianship,
    InsuredPerson,
    User,
    VerifiedVia,
)
from bindings import uploads
from bindings.models import IdType
from bindings.notices import notify_person
from bindings.services.applications import RelativeInput, find_in_registry

DECIDE_PERMISSION = "accounts.decide_guardianship"
PARENT_BASES = frozenset({GuardianBasis.PARENT_HUKOU, GuardianBasis.PARENT_BIRTH_CERTIFICATE})
OPEN_STATUSES = (DelegationStatus.PENDING, DelegationStatus.ACTIVE)


class GuardianCode(TextChoices):
    """Stable codes of a refusal (`GuardianshipError.code`), for forms, logs and tests."""

    NO_PERSON = "no_person", gettext_lazy("账户未关联参保人员")
    ACTING_FOR_OTHER = "acting_for_other", gettext_lazy("正在为他人办理")
    WARD_NOT_FOUND = "ward_not_found", gettext_lazy("登记信息中查无此人")
    SELF = "self", gettext_lazy("不能担任自己的监护人")
    WARD_HAS_CAPACITY = "ward_has_capacity", gettext_lazy("被监护人已具有完全民事行为能力")
    GUARDIAN_LACKS_CAPACITY = "guardian_lacks_capacity", gettext_lazy("申请人不具有完全民事行为能力")
    BAD_BASIS = "bad_basis", gettext_lazy("未知的监护依据")
    DOCUMENT_REQUIRED = "document_required", gettext_lazy("缺少证明材料")
    DUPLICATE = "duplicate", gettext_lazy("已有有效或待审核的监护关系")
    NO_PERMISSION = "no_permission", gettext_lazy("没有审核权限")
    OUTSIDE_REGION = "outside_region", gettext_lazy("不在经办区域内")
    CLERK_IS_PARTY = "clerk_is_party", gettext_lazy("经办人员是当事人")
    WRONG_STATE = "wrong_state", gettext_lazy("当前状态不允许此操作")
    REASON_MISSING = "reason_missing", gettext_lazy("未填写原因")
    NOT_THE_GUARDIAN = "not_the_guardian", gettext_lazy("不是监护人本人")


class GuardianshipError(HallError):
    default_code = "guardianship_refused"


# --- asking ------------------------------------------------------------------------------------------------------


def guardianship_request(
    *,
    guardian_user,
    ward_name: str,
    basis: str,
    ward_id_number: str = "",
    birth_certificate_no: str = "",
    document=None,
    on: datetime.date | None = None,
) -> Guardianship:
    """Record the signed-in resident as the guardian of a minor in the registry: active at once when the registry
    links them as parent and child, else pending for a clerk with the uploaded proof.

    Refusals raise GuardianshipError (or DocumentRejected for an unusable upload) and leave neither a row nor a file.
    """
    on = on or timezone.localdate()
    guardian = _own_person(guardian_user)
    ward = _find_ward(ward_name=ward_name, ward_id_number=ward_id_number, birth_certificate_no=birth_certificate_no)
    _check_parties(guardian, ward, on)
    if basis not in GuardianBasis.values:
        raise GuardianshipError(_("请选择监护依据。"), code=GuardianCode.BAD_BASIS)
    linked = basis in PARENT_BASES and FamilyLink.objects.filter(parent=guardian, child=ward).exists()
    if not linked and document is None:
        raise GuardianshipError(_document_required_message(basis), code=GuardianCode.DOCUMENT_REQUIRED)
    # Sanitized and stored before the transaction (storage is not transactional), deleted if anything fails.
    stored, content_type = "", ""
    if not linked:
        sanitized = uploads.sanitize_upload(document)  # raises DocumentRejected
        stored, content_type = uploads.store_document(sanitized), sanitized.content_type
    try:
        with transaction.atomic():
            row = _create(
                guardian=guardian,
                ward=ward,
                basis=basis,
                requested_by=guardian_user,
                linked=linked,
                document_name=stored,
                document_type=content_type,
            )
            if linked:
                _notify(row, _("监护关系已生效"), ACTIVATED_BODY)
            else:
                _notify(row, _("监护关系申请已提交"), REQUESTED_BODY)
            return row
    except BaseException:
        if stored:
            uploads.delete_document(stored)
        raise


def _own_person(user) -> InsuredPerson:
    acting = getattr(user, "acting", None)
    if acting is not None and acting.for_someone_else:
        raise GuardianshipError(
            _("您正在为家人办理。申请成为监护人要以您本人身份办理，请先在页面上方切换回本人。"),
            code=GuardianCode.ACTING_FOR_OTHER,
        )
    person = getattr(user, "person", None)
    if person is None:
        raise GuardianshipError(
            _("您的账户还没有关联参保登记信息，请到医保经办窗口办理。"), code=GuardianCode.NO_PERSON
        )
    return person


def _find_ward(*, ward_name: str, ward_id_number: str, birth_certificate_no: str) -> InsuredPerson:
    # The binding wizard's lookup: the number must be in the registry and the name must match it exactly.
    if birth_certificate_no:
        data = RelativeInput(IdType.BIRTH_CERTIFICATE, birth_certificate_no, ward_name, relationship="")
    else:
        data = RelativeInput(IdType.RESIDENT_ID, ward_id_number, ward_name, relationship="")
    ward = find_in_registry(data) if data.id_number else None
    if ward is None:
        raise GuardianshipError(
            _(
                "参保登记信息中没有找到证件号码和姓名都相符的人员。请核对后重新填写；孩子还没有参保登记的，请先为孩子办理参保。"
            ),
            code=GuardianCode.WARD_NOT_FOUND,
        )
    return ward


def _check_parties(guardian: InsuredPerson, ward: InsuredPerson, on: datetime.date) -> None:
    if guardian.pk == ward.pk:
        raise GuardianshipError(_("不能申请成为自己的监护人。"), code=GuardianCode.SELF)
    if has_full_capacity(ward, on):
        raise GuardianshipError(
            _(
                "%(name)s已年满18周岁（或已满16周岁并以自己的劳动收入为主要生活来源），能够自己办理，不需要监护人。"
                "如需由您代办，请%(name)s本人在“家庭成员”中为您办理代办授权。"
            )
            % {"name": ward.name},
            code=GuardianCode.WARD_HAS_CAPACITY,
        )
    if not has_full_capacity(guardian, on):
        raise GuardianshipError(
            _("监护人须年满18周岁。您还不能担任监护人，请由您的父母或其他成年家人申请。"),
            code=GuardianCode.GUARDIAN_LACKS_CAPACITY,
        )


def _document_required_message(basis: str) -> str:
    if basis in PARENT_BASES:
        return _(
            "登记信息中没有查到您与孩子的亲子关系，需要经办人员审核。请上传户口簿（户主页、您本人页和孩子页）"
            "或孩子的出生医学证明的照片后再提交。"
        )
    return _("请上传人民法院判决书或居（村）民委员会、民政部门指定监护人的文书的照片或PDF后再提交。")


def _create(*, guardian, ward, basis, requested_by, linked, document_name, document_type) -> Guardianship:
    now = timezone.now()
    try:
        with transaction.atomic():
            return Guardianship.objects.create(
                guardian=guardian,
                ward=ward,
                basis=basis,
                status=DelegationStatus.ACTIVE if linked else DelegationStatus.PENDING,
                verified_via=VerifiedVia.REGISTRY if linked else "",
                decided_at=now if linked else None,
                document_name=document_name,
                document_type=document_type,
                region_code=ward.city_code,
                requested_by=requested_by if getattr(requested_by, "pk", None) else None,
                created_at=now,
            )
    except IntegrityError:
        # The database allows one open record per pair (guardianship_one_open_per_pair).
        open_row = Guardianship.objects.filter(guardian=guardian, ward=ward, status__in=OPEN_STATUSES).first()
        if open_row is not None and open_row.status == DelegationStatus.ACTIVE:
            message = _("您已经是%(name)s的监护人，无需重复申请。可在“家庭成员”中选择%(name)s办理业务。")
        else:
            message = _("您为%(name)s提交的监护关系申请正在审核中，请等待审核结果，无需重复提交。")
        raise GuardianshipError(message % {"name": ward.name}, code=GuardianCode.DUPLICATE) from None


# --- deciding ----------------------------------------------------------------------------------------------------


@transaction.atomic
def guardianship_decide(
    *, guardianship: Guardianship, clerk, approve: bool, reason_text: str = "", ip: str | None = None
) -> Guardianship:
    """A clerk approves or rejects a pending request. A rejection says why; the audit row lands with the decision."""
    if not (getattr(clerk, "is_staff", False) and clerk.has_perm(DECIDE_PERMISSION)):
        raise GuardianshipError(_("您没有审核监护关系的权限。"), code=GuardianCode.NO_PERMISSION)
    # Locked through the clerk's region filter: a row outside it is not found, as in the queue.
    row = (
        Guardianship.objects.select_for_update()
        .filter(region_q(clerk, "region_code"), pk=guardianship.pk)
        .select_related("guardian", "ward")
        .first()
    )
    if row is None:
        raise GuardianshipError(_("该申请不属于您经办的统筹区，不能审核。"), code=GuardianCode.OUTSIDE_REGION)
    if getattr(clerk, "person_id", None) in (row.guardian_id, row.ward_id):
        raise GuardianshipError(
            _("您是该监护关系的当事人，须回避，由其他经办人员审核。"), code=GuardianCode.CLERK_IS_PARTY
        )
    if row.status != DelegationStatus.PENDING:
        raise GuardianshipError(
            _("该申请当前状态为“%(now)s”，不能再审核。") % {"now": row.get_status_display()},
            code=GuardianCode.WRONG_STATE,
        )
    reason_text = (reason_text or "").strip()
    if not approve and not reason_text:
        raise GuardianshipError(_("驳回须写明原因，申请人会看到这段话并据此补正。"), code=GuardianCode.REASON_MISSING)
    if approve and has_full_capacity(row.ward, timezone.localdate()):
        # Asked again now, as a binding approval asks the engine again: the ward may have come of age meanwhile.
        raise GuardianshipError(
            _("被监护人现已具有完全民事行为能力，不再需要监护人，请驳回并说明原因。"),
            code=GuardianCode.WARD_HAS_CAPACITY,
        )
    row.status = DelegationStatus.ACTIVE if approve else DelegationStatus.REJECTED
    row.verified_via = VerifiedVia.CLERK
    row.decided_by = clerk
    row.decided_at = timezone.now()
    row.reason_text = "" if approve else reason_text
    row.save(update_fields=["status", "verified_via", "decided_by", "decided_at", "reason_text"])
    audit(
        actor=clerk,
        action=AuditAction.GUARDIAN_DECIDE,
        target=f"guardianship:{row.pk}",
        detail=(_("审核通过") if approve else _("驳回")) + (f"：{reason_text}" if reason_text else ""),
        ip=ip,
        region_code=row.region_code,
    )
    if approve:
        _notify(row, _("监护关系已生效"), ACTIVATED_BODY)
    else:
        _notify(row, _("监护关系申请未通过"), REJECTED_BODY)
    return row


# --- ending ------------------------------------------------------------------------------------------------------


@transaction.atomic
def guardianship_end(*, guardianship: Guardianship, actor) -> Guardianship:
    """The guardian himself ends a guardianship, or withdraws a request still waiting for a clerk."""
    guardian = _own_person(actor)
    row = Guardianship.objects.select_for_update().select_related("guardian", "ward").get(pk=guardianship.pk)
    if row.guardian_id != guardian.pk:
        raise GuardianshipError(_("只有监护人本人可以结束监护关系。"), code=GuardianCode.NOT_THE_GUARDIAN)
    if row.status not in OPEN_STATUSES:
        raise GuardianshipError(
            _("该监护关系当前状态为“%(now)s”，无需再结束。") % {"now": row.get_status_display()},
            code=GuardianCode.WRONG_STATE,
        )
    was_pending = row.status == DelegationStatus.PENDING
    row.status = DelegationStatus.REVOKED
    row.save(update_fields=["status"])
    if was_pending:
        _notify(row, _("监护关系申请已撤回"), WITHDRAWN_BODY)
    else:
        _notify(row, _("监护关系已结束"), ENDED_BODY)
    return row


# --- notices -----------------------------------------------------------------------------------------------------

REQUESTED_BODY = gettext_lazy(
    "%(guardian)s申请登记为%(ward)s的监护人（%(basis)s），材料已提交，等待经办人员审核。审核结果会通过站内消息和短信告知。"
)
ACTIVATED_BODY = gettext_lazy(
    "%(guardian)s已登记为%(ward)s的监护人（%(basis)s，%(via)s）。监护人可在网上服务大厅“家庭成员”中为%(ward)s办理业务。"
)
REJECTED_BODY = gettext_lazy(
    "%(guardian)s登记为%(ward)s的监护人的申请未通过：%(reason)s。可按说明补正材料后重新申请，或拨打12393咨询。"
)
WITHDRAWN_BODY = gettext_lazy("%(guardian)s已撤回登记为%(ward)s的监护人的申请。")
ENDED_BODY = gettext_lazy("%(guardian)s与%(ward)s的监护关系登记已由监护人结束，今后不能再为%(ward)s网上办理业务。")


def _notify(row: Guardianship, title: str, body) -> None:
    """The guardian, and the ward when he has an account of his own (a child without one reads nothing here)."""
    text = str(body) % {
        "guardian": mask_name(row.guardian.name),
        "ward": mask_name(row.ward.name),
        "basis": row.get_basis_display(),
        "via": row.get_verified_via_display() or "",
        "reason": row.reason_text,
    }
    notify_person(row.guardian, title=title, body=text)
    if User.objects.filter(person=row.ward).exists():
        notify_person(row.ward, title=title, body=text)
