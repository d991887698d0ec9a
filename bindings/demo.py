"""Demo cases made through the real services, so the clerk's queue has something to decide."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import (
    DelegationStatus,
    FamilyLink,
    GrantChannel,
    GuardianBasis,
    Guardianship,
    InsuredPerson,
    ProxyGrant,
    VerifiedVia,
)
from bindings.services import RelativeInput
from policies.cache import policies_changed
from policies.models import PremiumAmount, Region
from policies.selectors import resolved_policy

from . import services
from .models import Binding


def _certificate_photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (1000, 700), (186, 32, 38))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 940, 640), outline=(240, 200, 90), width=8)
    draw.text((420, 320), "DEMO", fill=(240, 200, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile("marriage.jpg", buffer.getvalue(), content_type="image/jpeg")


def _submit_case(authorizer: InsuredPerson, relative: InsuredPerson, relationship: str) -> tuple[str, str]:
    """Apply, give the proof asked for (a photo, or the pledge where no upload is asked), submit: (case, refusal)."""
    user = authorizer.account
    application = services.application_start(authorizer=authorizer, actor=user)
    data = RelativeInput("resident_id", relative.id_number, relative.name, relationship, phone=relative.phone)
    result = services.binding_add_relative(application=application, data=data, actor=user)
    if result.binding is None:
        return "", "；".join(r.message for r in result.verdict.reasons)
    for requirement in result.verdict.proof:
        if requirement.pledge_allowed:
            services.binding_set_pledge(binding=result.binding, pledge=True)
        elif requirement.upload_required:
            services.document_add(
                binding=result.binding, kind=requirement.kind, upload=_certificate_photo(), actor=user
            )
    services.application_submit(application=application, actor=user, commitment=True)
    return application.case_number, ""


def demo_pending_case() -> str:
    """Idempotent: does nothing when the case exists, or when the policy data is not loaded yet."""
    if not Region.objects.exists():
        return "Policies not loaded: no pending demo case (run load_policies first)."
    husband = InsuredPerson.objects.filter(name="陈国栋", city_code="510400").select_related("account").first()
    wife = InsuredPerson.objects.filter(name="周秀兰", city_code="510400").first()
    if husband is None or wife is None or Binding.objects.filter(authorizer=husband, relative=wife).exists():
        return ""
    case, refused = _submit_case(husband, wife, "spouse")
    if refused:
        return "Pending demo case refused: " + refused
    return f"Pending demo case {case} waits in 攀枝花's review queue."


# Families for "acting for someone else" (README: 代办与监护): the registry's parent-child links, a parent who is
# his son's verified guardian, and a retired grandfather who binds that grandson and has named his son as proxy.
PARENT_LINKS = [
    ("王建国", "王小宇", "hukou"),
    ("李秀英", "王小宇", "hukou"),
    ("陈志强", "陈思", "birth_certificate"),
    ("刘洋", "刘可欣", "hukou"),
]


def _person(name: str) -> InsuredPerson | None:
    return InsuredPerson.objects.filter(name=name).select_related("account").first()


def demo_family_delegation() -> str:
    """Idempotent: parent links, 王建国 as 王小宇's guardian, 王德福 → 王小宇 binding, 王德福's proxy 王建国."""
    if not Region.objects.exists():
        return "Policies not loaded: no acting-for demo (run load_policies first)."
    for parent_name, child_name, source in PARENT_LINKS:
        parent, child = _person(parent_name), _person(child_name)
        if parent and child:
            FamilyLink.objects.get_or_create(parent=parent, child=child, defaults={"source": source})
    father, son, grandfather = _person("王建国"), _person("王小宇"), _person("王德福")
    if not (father and son and grandfather):
        return ""
    Guardianship.objects.get_or_create(
        guardian=father,
        ward=son,
        status=DelegationStatus.ACTIVE,
        defaults={
            "basis": GuardianBasis.PARENT_HUKOU,
            "verified_via": VerifiedVia.REGISTRY,
            "region_code": son.city_code,
        },
    )
    made = []
    if not Binding.objects.filter(authorizer=grandfather, relative=son).exists():
        case, refused = _submit_case(grandfather, son, "grandchild")
        if refused:
            return "Acting-for demo binding refused: " + refused
        made.append(f"{case} (王德福 → 王小宇)")
    today = timezone.localdate()
    if not ProxyGrant.objects.filter(principal=grandfather, agent=father, revoked_at__isnull=True).exists():
        ProxyGrant.objects.create(
            principal=grandfather,
            agent=father,
            may_apply=True,
            may_pay=True,
            starts_on=today,
            ends_on=today.replace(year=today.year + 1),
            granted_via=GrantChannel.ONLINE,
            region_code=grandfather.city_code,
        )
        made.append("王德福's proxy 王建国")
    return ("Acting-for demo: " + ", ".join(made)) if made else ""


# 王建国's 代缴 (README): the sources give no 居民医保 standard for 宜春, so the demo carries one, marked is_demo and
# shown as 演示标准（非政策） wherever it is used. It is never written where the data states a standard for the year.
DEMO_PREMIUM_CITY = "360900"
DEMO_PREMIUM_YUAN = Decimal("400")
DEMO_PREMIUM_NOTE = "演示标准（非政策）：来源未给出宜春该年度居民医保个人缴费标准，仅用于演示代缴流程。"


def demo_premium_standard(today: datetime.date | None = None) -> str:
    """Idempotent: a 演示标准 for next year in 宜春 (collection period to 31 December), so that 王建国 can pay his
    wife's premium from his account in the demo. Added to the version that states 宜春's standards, if one does
    (a row on a more specific version would hide the real ones), else to 宜春's own."""
    if not Region.objects.exists():
        return "Policies not loaded: no demo premium standard (run load_policies first)."
    today = today or timezone.localdate()
    year = today.year + 1
    policy = resolved_policy(DEMO_PREMIUM_CITY, today)
    if policy.premium_for(year) is not None or not policy.versions:
        return ""
    version = policy.premium_amounts.version or policy.versions[0]
    PremiumAmount.objects.create(
        version=version,
        year=year,
        amount_yuan=DEMO_PREMIUM_YUAN,
        due_on=datetime.date(today.year, 12, 31),
        is_demo=True,
        note=DEMO_PREMIUM_NOTE,
    )
    policies_changed()
    return f"Demo premium standard (演示标准, not policy): {version.region.name} {year}."
