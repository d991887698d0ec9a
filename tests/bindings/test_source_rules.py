"""The source rules of issue 15 at both doors: the resident wizard (the online hall) and the counter desk refuse
and accept the same way, because both ask the same engine (policies.eligibility) through the same services.

Each test sets the rule on the city's version itself (tests.factories.edit_policy): it does not depend on the
data files.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import FaceVerification
from accounts.stepup import StepUpMethod, step_up_record
from bindings.models import Application, Binding, BindingEvent, Status
from bindings.services.relative_face import FACE_COUNTER, FACE_ONLINE
from policies.eligibility import ReasonCode
from tests.factories import UserFactory, counter_clerk, edit_policy, face_photo, jpeg_upload, person_in

pytestmark = pytest.mark.django_db

ADULT = date(1990, 1, 1)
CHILD = date(2016, 2, 2)
GUIGANG_PROOF = [
    {"kind": "household_register", "max_age": 16, "pledge_allowed": True},
    {"kind": "registry_check", "min_age": 16, "upload_required": False},
]
CITY = {"yichun": "360900", "guigang": "450800", "hengyang": "430400", "xiangtan": "430300", "panzhihua": "510400"}


class Wizard:
    """The resident's own pages: 告知书, 填写家人, the face step, 上传材料, 核对提交."""

    name = "wizard"

    def __init__(self, client, authorizer):
        self.client = client
        self.user = UserFactory(person=authorizer)
        client.force_login(self.user)
        response = client.post(reverse("bindings:apply"), {"agree": "1"})
        self.case = Application.objects.get(authorizer=authorizer).case_number
        assert response["Location"] == reverse("bindings:relative", args=[self.case])

    def add(self, relative, relationship="child", phone="", **extra):
        data = {"id_type": "resident_id", "id_number": relative.id_number, "name": relative.name}
        data |= {"relationship": relationship, "phone": phone, **extra}
        self.response = self.client.post(reverse("bindings:relative", args=[self.case]), data)
        return self.response

    def upload(self, binding, kind):
        url = reverse("bindings:proof", args=[self.case])
        self.client.post(url, {"action": "upload", "binding": binding.pk, "kind": kind, "file": jpeg_upload()})

    def submit(self):
        session = self.client.session  # the fresh identity check submitting asks for (accounts.stepup)
        step_up_record(session, user=self.user, method=StepUpMethod.SMS)
        session.save()
        url = reverse("bindings:summary", args=[self.case])
        self.response = self.client.post(url, {"commitment": "on"}, follow=True)
        return self.response.content.decode()


class Counter:
    """The counter desk: the clerk looks the resident up and types for him."""

    name = "counter"

    def __init__(self, client, authorizer):
        self.client = client
        client.force_login(counter_clerk(authorizer.city_code))
        response = client.post(f"/counter/person/{authorizer.pk}/", {"action": "start", "id_card_checked": "on"})
        self.case = Application.objects.get(authorizer=authorizer).case_number
        assert response["Location"] == f"/counter/applications/{self.case}/"

    def add(self, relative, relationship="child", phone="", **extra):
        data = {"action": "relative", "id_type": "resident_id", "id_number": relative.id_number}
        data |= {"name": relative.name, "relationship": relationship, "phone": phone, **extra}
        self.response = self.client.post(f"/counter/applications/{self.case}/", data)
        return self.response

    def upload(self, binding, kind):
        data = {"action": "upload", "binding": binding.pk, "kind": kind, "file": jpeg_upload()}
        self.client.post(f"/counter/applications/{self.case}/", data)

    def submit(self):
        url = f"/counter/applications/{self.case}/"
        self.response = self.client.post(url, {"action": "submit", "paper_pledge": "1"}, follow=True)
        return self.response.content.decode()


@pytest.fixture(params=[Wizard, Counter], ids=["wizard", "counter"])
def door(request, client, policies):
    return lambda authorizer: request.param(client, authorizer)


def submitted(door) -> bool:
    return Application.objects.get(case_number=door.case).submitted_at is not None


# -- 2. 衡阳: 余额必须大于零 is a binding condition -----------------------------------------------------------------
def test_hengyang_zero_balance_is_refused_at_the_pre_check(door):
    edit_policy(CITY["hengyang"], bind_requires_positive_balance=True)
    authorizer = person_in("hengyang", balance_fen=0)
    d = door(authorizer)
    page = d.add(person_in("hengyang", resident=True, birth=CHILD)).content.decode()
    assert f'data-code="{ReasonCode.AUTHORIZER_BALANCE_NOT_POSITIVE}"' in page
    assert "衡阳市规定办理家庭共济时授权人的医保个人账户余额必须大于零；授权人当前余额为0.00元" in page
    assert not Binding.objects.filter(authorizer=authorizer).exists()


def test_hengyang_balance_spent_before_submitting_is_refused_at_submit(door):
    edit_policy(CITY["hengyang"], bind_requires_positive_balance=True)
    authorizer = person_in("hengyang", balance_fen=500)
    d = door(authorizer)
    child = person_in("hengyang", resident=True, birth=CHILD)
    d.add(child)
    binding = Binding.objects.get(authorizer=authorizer)
    for kind in {"household_register"}:
        d.upload(binding, kind)
    authorizer.balance_fen = 0
    authorizer.save(update_fields=["balance_fen"])
    page = d.submit()
    assert "授权人当前余额为0.00元，暂不能绑定" in page
    assert not submitted(d)
    authorizer.balance_fen = 1
    authorizer.save(update_fields=["balance_fen"])
    d.submit()
    assert submitted(d)


# -- 3. 湘潭 and 攀枝花: the relative's phone ---------------------------------------------------------------------
@pytest.mark.parametrize("city", ["panzhihua", "xiangtan"])
def test_the_relatives_phone_is_asked_and_checked(door, city):
    edit_policy(CITY[city], relative_phone_required=True)
    d = door(person_in(city))
    relative = person_in(city, resident=True, birth=CHILD)
    dates = {"start_date": date.today().isoformat(), "end_date": "2030-12-31"} if city == "xiangtan" else {}
    page = d.add(relative, phone="", **dates).content.decode()
    assert "请填写使用人的联系电话（11位手机号码）。" in page
    page = d.add(relative, phone="0812123456", **dates).content.decode()
    assert "请输入11位中国大陆手机号码。" in page
    assert not Binding.objects.filter(relative=relative).exists()
    d.add(relative, phone="13912345678", **dates)
    assert Binding.objects.get(relative=relative).relative_phone == "13912345678"


def test_the_phone_stays_optional_where_the_city_does_not_ask(door):
    edit_policy(CITY["panzhihua"], relative_phone_required=False)
    d = door(person_in("panzhihua"))
    relative = person_in("panzhihua", resident=True, birth=CHILD)
    d.add(relative, phone="")
    assert Binding.objects.filter(relative=relative).exists()


# -- 1. proof per channel (江西) ------------------------------------------------------------------------------------
def test_jiangxi_online_hall_takes_the_pledge_alone_the_counter_asks_for_the_register(door):
    edit_policy(
        CITY["yichun"],
        proof=[{"kind": "household_register", "relationships": ["child"], "channels": ["counter"]}],
    )
    authorizer = person_in("yichun")
    d = door(authorizer)
    d.add(person_in("yichun", resident=True, birth=CHILD))
    page = d.submit()
    if d.name == "wizard":
        assert submitted(d)  # the 个人郑重承诺 alone
    else:
        assert not submitted(d)
        assert "还缺少证明材料：户口簿" in page
        d.upload(Binding.objects.get(authorizer=authorizer), "household_register")
        d.submit()
        assert submitted(d)


# -- 4. 贵港: the relative's own face check from 16 -----------------------------------------------------------------
def test_guigang_adult_relative_must_pass_a_face_check_before_submitting(door):
    edit_policy(CITY["guigang"], relative_face_min_age=16, relative_phone_required=False, proof=GUIGANG_PROOF)
    authorizer = person_in("guigang")
    d = door(authorizer)
    relative = person_in("guigang", resident=True, birth=ADULT)
    response = d.add(relative)
    binding = Binding.objects.get(relative=relative)
    if d.name == "wizard":
        assert response["Location"] == reverse("bindings:relative_face", args=[d.case, binding.pk])
    page = d.submit()
    assert "贵港市规定年满16周岁的使用人须本人完成人脸识别" in page
    assert not submitted(d)
    if d.name == "wizard":
        url = reverse("bindings:relative_face", args=[d.case, binding.pk])
        page = d.client.get(url).content.decode()
        assert "请把手机交给" in page and "开始人脸识别" in page
        assert "请由被共济人本人阅读并勾选同意" in d.client.post(url, {"action": "start"}).content.decode()
        d.client.post(url, {"action": "start", "consent": "on"})
        challenge = d.client.session["relative_face"][str(binding.pk)]
        response = d.client.post(url, {"challenge": challenge, "photo": face_photo()})
        assert response["Location"] == reverse("bindings:proof", args=[d.case])
        assert FaceVerification.objects.get(challenge_id=challenge).passed
        code = FACE_ONLINE
    else:
        page = d.client.post(f"/counter/applications/{d.case}/", {"action": "relative_face", "binding": binding.pk})
        assert not BindingEvent.objects.filter(binding=binding, reason_code=FACE_COUNTER).exists()
        d.client.post(
            f"/counter/applications/{d.case}/", {"action": "relative_face", "binding": binding.pk, "present": "1"}
        )
        code = FACE_COUNTER
    event = BindingEvent.objects.get(binding=binding, reason_code=code)
    assert event.actor is not None and relative.name in event.reason_text
    d.submit()
    assert submitted(d)
    binding.refresh_from_db()
    assert binding.status in (Status.ACTIVE, Status.SUBMITTED)


def test_guigang_child_under_sixteen_needs_no_face_check(door):
    edit_policy(CITY["guigang"], relative_face_min_age=16, relative_phone_required=False, proof=GUIGANG_PROOF)
    authorizer = person_in("guigang")
    d = door(authorizer)
    child = person_in("guigang", resident=True, birth=CHILD)
    response = d.add(child)
    if d.name == "wizard":
        assert response["Location"] == reverse("bindings:proof", args=[d.case])
    binding = Binding.objects.get(relative=child)
    binding.pledge = True  # 广西 takes a signed pledge for the household register
    binding.save(update_fields=["pledge"])
    d.submit()
    assert submitted(d)


# -- 5. what the resident reads before starting ------------------------------------------------------------------
def test_the_first_steps_list_what_the_city_asks(client, policies):
    edit_policy(
        CITY["guigang"], relative_face_min_age=16, relative_phone_required=True, bind_requires_positive_balance=True
    )
    authorizer = person_in("guigang", balance_fen=0)
    client.force_login(UserFactory(person=authorizer))
    notice = client.get(reverse("bindings:apply")).content.decode()
    for text in (
        "本地办理要求",
        "须填写使用人的联系电话（11位手机号码）。",
        "年满16周岁的使用人须本人完成人脸识别后才能提交",
        "授权人的医保个人账户余额须大于零才能绑定。授权人当前余额：0.00元。",
    ):
        assert text in notice
    client.post(reverse("bindings:apply"), {"agree": "1"})
    case = Application.objects.get(authorizer=authorizer).case_number
    page = client.get(reverse("bindings:relative", args=[case])).content.decode()
    assert 'data-kind="relative_face"' in page and 'data-kind="positive_balance"' in page
