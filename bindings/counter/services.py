"""The offline counter (医保经办窗口): tickets and walk-in applications, on the same binding services."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.clerks import clerk_covers
from accounts.errors import HallError
from accounts.idnumbers import normalize_id_number
from accounts.masking import mask_id_number
from accounts.models import AuditAction, InsuredPerson
from bindings import services
from bindings.models import ActorRole, Application, CounterTicket
from bindings.services.relative_face import relative_face_counter_record
from bindings.transitions import Action, binding_actions
from policies.choices import ChannelKind


class CounterError(HallError):
    """A refusal at the counter the clerk reads out to the resident."""


def counter_region(clerk) -> str:
    """Tickets are numbered per counter: the clerk's city (or province) code."""
    return clerk.region_code or "000000"


def ticket_take(*, clerk) -> CounterTicket:
    """The next number of the day at this counter. Retries if two clerks take one at the same instant."""
    day = timezone.localdate()
    region = counter_region(clerk)
    for _attempt in range(5):
        last = CounterTicket.objects.filter(city_code=region, day=day).aggregate(n=Max("number"))["n"] or 0
        try:
            with transaction.atomic():
                return CounterTicket.objects.create(city_code=region, day=day, number=last + 1, clerk=clerk)
        except IntegrityError:
            continue
    raise CounterError(_("取号失败，请重试。"))


def person_lookup(*, clerk, id_number: str, ip: str | None = None) -> InsuredPerson:
    """The walk-in resident by ID number, inside the clerk's region. Every look-up is logged, the number masked:
    a find as COUNTER_LOOKUP under the person's region, a miss as REFUSED under the person's region (another
    region's resident) or, for a number nobody has, the counter's own."""
    number = normalize_id_number(id_number)
    person = InsuredPerson.objects.filter(id_number=number).first()
    if person is not None and clerk_covers(clerk, person.city_code):
        audit(
            actor=clerk,
            action=AuditAction.COUNTER_LOOKUP,
            target=f"person:{person.pk}",
            detail=_("窗口按身份证号码查询：%(n)s") % {"n": mask_id_number(number)},
            ip=ip,
            region_code=region_of(person),
        )
        return person
    audit(
        actor=clerk,
        action=AuditAction.REFUSED,
        target="person:lookup",
        detail=_("窗口查询未找到或不在本经办区域：%(n)s") % {"n": mask_id_number(number)},
        ip=ip,
        region_code=region_of(person) if person is not None else clerk.region_code,
    )
    if person is None:
        raise CounterError(_("未查到该身份证号码的参保登记信息，请核对号码，或请居民先到参保地办理参保登记。"))
    raise CounterError(_("该居民不在本窗口的经办区域参保，请到参保地医保经办窗口办理。"))


@transaction.atomic
def counter_application_start(*, clerk, authorizer: InsuredPerson, id_card_checked: bool, ticket=None) -> Application:
    if not id_card_checked:
        raise CounterError(_("请先当面核验授权人的居民身份证原件，并勾选“已核验身份证”。"), code="id_not_checked")
    if not clerk_covers(clerk, authorizer.city_code):
        raise CounterError(_("该居民不在本窗口的经办区域参保。"), code="outside_region")
    application = services.application_start(authorizer=authorizer, actor=clerk, channel=ChannelKind.COUNTER)
    application.id_card_checked = True
    application.save(update_fields=["id_card_checked"])
    if ticket is not None:
        CounterTicket.objects.filter(pk=ticket.pk).update(person=authorizer, application=application)
    return application


@transaction.atomic
def counter_relative_face(*, clerk, application: Application, binding_pk: int) -> None:
    """The clerk records that a relative the city asks to verify (贵港: 16 and over) was present and verified."""
    binding = application.bindings.filter(pk=binding_pk).select_related("relative", "application").first()
    if binding is None:
        raise CounterError(_("本次受理中没有这位家庭成员。"))
    relative_face_counter_record(binding=binding, clerk=clerk)


@transaction.atomic
def counter_submit(*, clerk, application: Application, paper_pledge: bool, ip: str | None = None) -> list:
    """Submit on the resident's behalf (his signed paper pledge is the commitment), then decide at once
    where the clerk may; maker-checker still applies."""
    if not paper_pledge:
        raise CounterError(_("请居民在纸质承诺书上签字，并勾选“已签署纸质承诺书”。"), code="pledge_missing")
    application.paper_pledge = True
    application.save(update_fields=["paper_pledge"])
    bindings = services.application_submit(application=application, actor=clerk, role=ActorRole.CLERK, commitment=True)
    audit(
        actor=clerk,
        action=AuditAction.COUNTER_SUBMIT,
        target=f"application:{application.pk}",
        case_number=application.case_number,
        detail=_("窗口受理%(n)s人") % {"n": len(bindings)},
        ip=ip,
        region_code=region_of(application),
    )
    for binding in bindings:
        # A clerk who may decide approves on the spot what the state machine and maker-checker let him.
        if Action.APPROVE in binding_actions(binding, clerk):
            try:
                with transaction.atomic():
                    services.binding_approve(
                        binding=binding, clerk=clerk, note=_("窗口当场审核"), channel=ChannelKind.COUNTER, ip=ip
                    )
            except services.BindingError:
                continue  # stays in the queue for another clerk
    return bindings
