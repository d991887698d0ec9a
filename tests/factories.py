"""The one home of test data builders: registry people, accounts, clerks and the pictures they upload.

Test files import from here rather than writing their own helpers, so a change to how a person, a clerk or a
proof photo is made is one edit.
"""

import functools
import io
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.idnumbers import make_id_number
from accounts.models import (
    Category,
    DelegationStatus,
    FamilyLink,
    FamilyLinkSource,
    GrantChannel,
    GuardianBasis,
    Guardianship,
    InsuranceStatus,
    InsuredPerson,
    ProxyGrant,
    Scheme,
    VerifiedVia,
)
from bindings import services

TEST_PASSWORD = "Hall-test-2026"

# A district of each city in the policy data files (ID numbers and the insured city derive from it).
DISTRICTS = {
    "yichun": "360902",  # 江西: immediate, proof uploads, 1-day wait after unbinding
    "panzhihua": "510402",  # 四川: clerk review, 5 at once, spouse/parents/children only
    "luzhou": "510502",
    "guigang": "450802",  # 广西: immediate, 7 at once, pledge may replace the household register
    "hengyang": "430405",  # 湖南: clerk review, 10 at once / 20 in total
    "xiangtan": "430302",  # 湖南: clerk review, dates required, same city only
}


class InsuredPersonFactory(DjangoModelFactory):
    """A 职工医保 member in 宜春 by default; pass district/birth to move or age him."""

    class Meta:
        model = InsuredPerson
        skip_postgeneration_save = True

    class Params:
        district = "360902"
        birth = date(1975, 5, 5)
        resident = factory.Trait(scheme=Scheme.RESIDENT, category="", balance_fen=0)
        retired = factory.Trait(category=Category.RETIRED)
        flexible = factory.Trait(category=Category.FLEXIBLE)
        suspended = factory.Trait(status=InsuranceStatus.SUSPENDED)
        terminated = factory.Trait(status=InsuranceStatus.TERMINATED)

    id_number = factory.LazyAttributeSequence(lambda o, n: make_id_number(o.district, o.birth, (n % 999) + 1))
    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    scheme = Scheme.EMPLOYEE
    category = Category.EMPLOYED
    status = InsuranceStatus.NORMAL
    province_code = factory.LazyAttribute(lambda o: o.district[:2] + "0000")
    city_code = factory.LazyAttribute(lambda o: o.district[:4] + "00")
    balance_fen = 100_000


def person_in(city: str = "yichun", **kwargs) -> InsuredPerson:
    """A registry person in a city of DISTRICTS (or a district code): person_in("panzhihua", resident=True)."""
    return InsuredPersonFactory(district=DISTRICTS.get(city, city), **kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    person = factory.SubFactory(InsuredPersonFactory)
    phone = factory.LazyAttribute(lambda o: o.person.phone if o.person else "")
    first_name = factory.LazyAttribute(lambda o: o.person.name if o.person else "")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff account; roles= names the groups (审核员, 主管, 窗口经办员), permissions= extra codenames."""

    person = None
    is_staff = True
    username = factory.Sequence(lambda n: f"clerk{n}")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(*named(Group.objects, "name", extracted))

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.user_permissions.add(*named(Permission.objects, "codename", extracted))


def named(queryset, field: str, names) -> list:
    """Rows by name; a misspelt name fails here rather than leaving a clerk silently without the right."""
    rows = list(queryset.filter(**{f"{field}__in": names}))
    unknown = set(names) - {getattr(row, field) for row in rows}
    assert not unknown, f"unknown {field}: {sorted(unknown)}"
    return rows


def clerk(region_code: str = "510400", *roles: str, **fields):
    """A clerk of a region (a city or province code, "" for the whole country) in the given role groups."""
    return StaffFactory(region_code=region_code, roles=roles, **fields)


def counter_clerk(region_code: str = "510400", *roles: str, **fields):
    """A clerk at the counter desk: 窗口经办员 unless other roles are named."""
    return clerk(region_code, *(roles or ["窗口经办员"]), **fields)


def submitted_binding(district="510402", relationship="child", birth=date(2015, 1, 1), pledge=False, upload=True):
    """A case submitted through the real services: a new member of the district applies for a resident-scheme
    relative, uploads what the engine asks (or ticks the pledge) and submits. 攀枝花 and a child by default."""
    user = UserFactory(person=InsuredPersonFactory(district=district))
    relative = InsuredPersonFactory(district=district, birth=birth, resident=True)
    application = services.application_start(authorizer=user.person, actor=user)
    data = services.RelativeInput("resident_id", relative.id_number, relative.name, relationship, phone=relative.phone)
    result = services.binding_add_relative(application=application, data=data, actor=user)
    assert result.binding is not None, result.verdict.reasons
    binding = result.binding
    if result.verdict.face_check_age is not None:  # the relative's own face check, where the city asks one
        relative_face_pass(binding, actor=user)
    if pledge:
        services.binding_set_pledge(binding=binding, pledge=True)
    elif upload:
        for requirement in result.verdict.proof:
            if requirement.upload_required:
                services.document_add(binding=binding, kind=requirement.kind, upload=jpeg_upload(), actor=user)
    services.application_submit(application=application, actor=user, commitment=True)
    binding.refresh_from_db()
    return binding


# --- policy rules a test sets itself -------------------------------------------------------------------------


def edit_policy(code: str, on: date | None = None, *, proof: list[dict] | None = None, **fields):
    """Set rules on the region's version in effect on `on` (today by default), inside the test's transaction, so a
    test does not depend on what the data files say: edit_policy("430400", bind_requires_positive_balance=True),
    edit_policy("360900", proof=[{"kind": "household_register", "channels": ["counter"]}])."""
    from django.db.models import Q
    from django.utils import timezone

    from policies.cache import policies_changed
    from policies.models import PolicyVersion, ProofRule

    on = on or timezone.localdate()
    version = PolicyVersion.objects.get(
        Q(effective_from__isnull=True) | Q(effective_from__lte=on),
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        region__code=code,
    )
    for name, value in fields.items():
        setattr(version, name, value)
    if fields:
        version.save(update_fields=list(fields))
    if proof is not None:
        version.proof_rules.all().delete()
        for order, row in enumerate(proof):
            ProofRule.objects.create(version=version, order=order, **row)
    policies_changed()
    return version


# --- acting for someone else ---------------------------------------------------------------------------------


def family_link(parent: InsuredPerson, child: InsuredPerson, source=FamilyLinkSource.HUKOU) -> FamilyLink:
    """The registry's parent-child link (what lets a parent's guardianship be verified online)."""
    return FamilyLink.objects.create(parent=parent, child=child, source=source)


def guardianship(guardian: InsuredPerson, ward: InsuredPerson, **fields) -> Guardianship:
    """An active guardianship verified through the registry, unless fields say otherwise."""
    values = {
        "basis": GuardianBasis.PARENT_HUKOU,
        "status": DelegationStatus.ACTIVE,
        "verified_via": VerifiedVia.REGISTRY,
        "region_code": ward.city_code,
        **fields,
    }
    return Guardianship.objects.create(guardian=guardian, ward=ward, **values)


def proxy_grant(principal: InsuredPerson, agent: InsuredPerson, **fields) -> ProxyGrant:
    """A proxy granted online today for a year, to apply and unbind (not to pay) unless fields say otherwise."""
    values = {
        "may_apply": True,
        "may_pay": False,
        "ends_on": date.today() + timedelta(days=365),
        "granted_via": GrantChannel.ONLINE,
        "region_code": principal.city_code,
        **fields,
    }
    return ProxyGrant.objects.create(principal=principal, agent=agent, **values)


def step_up(client, user=None, method: str = "sms"):
    """A fresh identity check passed by `user` (by default the client's signed-in user) in this client's session
    (accounts.stepup), as the check page leaves it: good for one grave action (submitting an application, paying
    a premium, granting a proxy). Returns the client, so `step_up(client).post(...)` reads as one step."""
    from accounts.stepup import step_up_record

    session = client.session
    if user is None:
        user = get_user_model().objects.get(pk=session["_auth_user_id"])
    step_up_record(session, user=user, method=method)
    session.save()
    return client


# --- pictures -------------------------------------------------------------------------------------------------

PROOF_SIZE = (400, 300)  # a photographed certificate, small enough to be quick
SCAN_SIZE = (1200, 900)  # a full-size scan, as a phone camera or the counter's scanner sends it
FACE_SIZE = (480, 640)  # a portrait from the front camera
FACE_COLOUR = (200, 170, 150)


@functools.cache
def image_bytes(size=PROOF_SIZE, colour="white", format="JPEG") -> bytes:
    """A plain picture the upload sanitizer accepts. Encoded once per session: tests upload the same few photos
    hundreds of times. A different colour gives a different hash, so two uploads are not duplicates."""
    out = io.BytesIO()
    options = {"quality": 90} if format == "JPEG" else {}
    Image.new("RGB", size, colour).save(out, format, **options)
    return out.getvalue()


def jpeg_upload(colour="white", name: str = "proof.jpg", *, size=PROOF_SIZE) -> SimpleUploadedFile:
    """A proof photo as a form upload."""
    return SimpleUploadedFile(name, image_bytes(size, colour), content_type="image/jpeg")


def relative_face_pass(binding, *, actor):
    """The relative passes his own face check on the applicant's device (bindings.services.relative_face)."""
    from bindings.services.relative_face import relative_face_start, relative_face_verify

    challenge = relative_face_start(binding=binding)
    verification = relative_face_verify(
        binding=binding, challenge_id=challenge.pk, image=image_bytes(FACE_SIZE, FACE_COLOUR), actor=actor
    )
    assert verification.passed, verification.reason
    return verification


def face_photo(name: str = "capture.jpg", *, size=FACE_SIZE, format="JPEG") -> SimpleUploadedFile:
    """A face-capture upload (a portrait by default; other sizes test the size checks)."""
    return SimpleUploadedFile(name, image_bytes(size, FACE_COLOUR, format), content_type="image/jpeg")


def browser_file(name: str, *, size=SCAN_SIZE, colour="white") -> dict:
    """A photo for Playwright's set_input_files (a full-size scan by default)."""
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes(size, colour)}
