"""Acting for someone else on the resident pages: the 家庭成员 switch, the 正在为…办理 banner, what each changing
view lets a guardian or proxy do, and the timeline, notices and audit naming both people (issue 12)."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.acting import SESSION_KEY
from accounts.context_processors import hall
from accounts.models import ActingKind, AuditAction, AuditEntry, ProxyScope, User
from bindings.models import ActorRole, Binding, BindingEvent, Notice, Status
from bindings.notices import NoticeEvent, _body
from tests.delegation.acting_helpers import YICHUN, active_binding, adult_user, switch_to
from tests.factories import InsuredPersonFactory, StaffFactory, clerk, guardianship, jpeg_upload, proxy_grant, step_up

pytestmark = pytest.mark.django_db

REFUSED_SCOPE = "给您的代办授权不包括"
REFUSED_UNDECLARED = "为家人办理时不能进行此项操作"


@pytest.fixture
def ward_family(policies):
    """王建国 is the guardian of 王小宇 (11), whom his mother 李秀英 authorizes to use her account."""
    guardian = adult_user("王建国")
    mother = adult_user("李秀英")
    ward = InsuredPersonFactory(district=YICHUN, name="王小宇", birth=date(2015, 6, 1), resident=True)
    guardianship(guardian.person, ward)
    return SimpleNamespace(guardian=guardian, mother=mother, ward=ward, binding=active_binding(mother, ward))


@pytest.fixture
def elder_family(policies):
    """张老汉 (81) authorizes his daughter 张秀兰 and has named his son 张伟 as proxy (apply and unbind)."""
    principal = adult_user("张老汉", birth=date(1945, 3, 3), retired=True)
    son = adult_user("张伟")
    daughter = InsuredPersonFactory(district=YICHUN, name="张秀兰", birth=date(1972, 2, 2), resident=True)
    grant = proxy_grant(principal.person, son.person, ends_on=date(2099, 12, 1))
    binding = active_binding(principal, daughter)
    return SimpleNamespace(principal=principal, son=son, daughter=daughter, grant=grant, binding=binding)


def acting_as(client, user, person):
    client.force_login(user)
    response = switch_to(client, person)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# --- the switch ---------------------------------------------------------------------------------------------


def test_the_guardian_switches_to_his_ward_and_every_page_says_so(client, ward_family):
    f = ward_family
    client.force_login(f.guardian)
    home = client.get("/").content.decode()
    assert "家庭成员" in home and "王小宇（被监护人）" in home and "正在为" not in home

    response = switch_to(client, f.ward, next_url="/bindings/mine/")
    assert response.status_code == 302 and response.url == "/bindings/mine/"
    assert client.session[SESSION_KEY] == f.ward.pk
    pronoun = "他" if f.ward.sex == "M" else "她"
    for url in ["/", "/bindings/mine/", f"/bindings/{f.binding.pk}/", "/accounts/me/", "/bindings/notices/"]:
        page = client.get(url).content.decode()
        assert "正在为 王小宇 办理" in page, url
        assert f"（您是{pronoun}的监护人）" in page, url
        assert "切换回本人" in page, url
    # The header names the ward in full, and the switcher is still the guardian's household, not the ward's.
    home = client.get("/").content.decode()
    assert 'class="hall-user text-white"' in home and ">王小宇</a>" in home
    assert "王建国（本人）" in home


def test_the_proxy_banner_says_until_when_and_what(client, elder_family):
    acting_as(client, elder_family.son, elder_family.principal.person)
    page = client.get("/").content.decode()
    assert "正在为 张老汉 办理" in page
    assert "（代办人，授权至2099年12月1日，可办理：查看、申请和解除共济）" in page


def test_switching_back_to_himself(client, ward_family):
    f = ward_family
    acting_as(client, f.guardian, f.ward)
    assert switch_to(client, None).status_code == 302
    assert SESSION_KEY not in client.session
    assert 'id="acting-banner"' not in client.get("/").content.decode()
    acting_as(client, f.guardian, f.ward)
    assert switch_to(client, f.guardian.person).status_code == 302  # his own id means himself too
    assert SESSION_KEY not in client.session


def test_the_switch_refuses_a_person_he_may_not_act_for(client, ward_family, elder_family):
    f = ward_family
    pending = InsuredPersonFactory(district=YICHUN, birth=date(2016, 1, 1), resident=True)
    guardianship(f.guardian.person, pending, status="pending")
    revoked = adult_user("孙奶奶", birth=date(1940, 1, 1))
    proxy_grant(revoked.person, f.guardian.person, revoked_at=timezone.now())
    client.force_login(f.guardian)
    for person in [elder_family.principal.person, pending, revoked.person, f.mother.person]:
        response = switch_to(client, person)
        assert response.status_code == 403, person
        assert "您不能为这位家人办理" in response.content.decode()
        assert SESSION_KEY not in client.session
    response = client.post(reverse("accounts:acting_switch"), {"person": "abc"})
    assert response.status_code == 403
    staff = StaffFactory(region_code="360900")
    client.force_login(staff)
    assert switch_to(client, f.ward).status_code == 403


def test_no_switcher_without_a_household(client, ward_family):
    client.force_login(ward_family.mother)
    page = client.get("/").content.decode()
    assert "household-person" not in page and "正在为" not in page


def test_a_revoked_grant_ends_the_acting_at_the_next_click(client, elder_family):
    f = elder_family
    acting_as(client, f.son, f.principal.person)
    f.grant.revoked_at = timezone.now()
    f.grant.save(update_fields=["revoked_at"])
    page = client.get("/").content.decode()
    assert 'id="acting-banner"' not in page and "您为家人办理的授权已结束" in page
    assert "household-person" not in page  # nobody else left to act for


# --- what each changing view allows while acting ------------------------------------------------------------

# (url name, args: "case" / "binding" / literal, scope the view declares; None: the user's own session;
# "undeclared": refused while acting for someone else)
POST_VIEWS = [
    ("bindings:apply", [], ProxyScope.APPLY),
    ("bindings:relative", ["case"], ProxyScope.APPLY),
    ("bindings:proof", ["case"], ProxyScope.APPLY),
    ("bindings:summary", ["case"], ProxyScope.APPLY),
    ("bindings:remove_relative", ["case", "binding"], ProxyScope.APPLY),
    ("bindings:detail", ["binding"], ProxyScope.APPLY),
    ("bindings:act", ["binding", "dissolve"], ProxyScope.APPLY),
    ("ledger:cap", ["binding"], ProxyScope.APPLY),
    ("ledger:cap_remove", ["binding"], ProxyScope.APPLY),
    ("ledger:premium", [], ProxyScope.PAY),
    ("accounts:elder_mode", [], None),
    ("accounts:acting_switch", [], None),
    ("accounts:logout", [], None),
    ("accounts:password_change", [], "undeclared"),
    ("ledger:counter", [], "undeclared"),
]


def _url(name, args, binding):
    values = {"case": binding.application.case_number, "binding": binding.pk}
    return reverse(name, args=[values.get(a, a) for a in args])


@pytest.mark.parametrize("may_apply,may_pay", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("name,args,scope", POST_VIEWS, ids=[v[0] for v in POST_VIEWS])
def test_every_changing_view_while_acting_as_proxy(client, elder_family, name, args, scope, may_apply, may_pay):
    f = elder_family
    f.grant.may_apply, f.grant.may_pay = may_apply, may_pay
    f.grant.save()
    acting_as(client, f.son, f.principal.person)
    response = client.post(_url(name, args, f.binding), {"next": "/", "person": "self", "enabled": "1"})
    page = response.content.decode()
    granted = {ProxyScope.APPLY: may_apply, ProxyScope.PAY: may_pay}
    if scope == "undeclared":
        assert response.status_code == 403 and REFUSED_UNDECLARED in page
    elif scope is None or granted[scope]:
        assert REFUSED_SCOPE not in page and REFUSED_UNDECLARED not in page
    else:
        assert response.status_code == 403 and REFUSED_SCOPE in page
        assert f"“{ProxyScope(scope).label}”" in page and "如需办理，请张*汉本人办理或扩大授权范围" in page


def test_a_guardian_may_do_everything_the_ward_could(client, ward_family):
    acting_as(client, ward_family.guardian, ward_family.ward)
    for name, args, scope in POST_VIEWS:
        if scope in (ProxyScope.APPLY, ProxyScope.PAY):
            page = client.post(_url(name, args, ward_family.binding), {}).content.decode()
            assert REFUSED_SCOPE not in page and REFUSED_UNDECLARED not in page, name
            acting_as(client, ward_family.guardian, ward_family.ward)  # the dissolve above may have moved on


def test_the_simulator_previews_for_a_viewer_but_posts_only_with_pay(client, elder_family):
    f = elder_family
    f.grant.may_apply = False
    f.grant.save()
    acting_as(client, f.son, f.principal.person)
    data = {
        "patient": "self",
        "level": "level1",
        "location": "insured_city",
        "declared_fund": "",
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "8",
        "items-0-kind": "drug",
        "items-0-amount": "50",
    }
    preview = client.post(reverse("ledger:simulator"), {**data, "action": "simulate"})
    assert preview.status_code == 200 and REFUSED_SCOPE not in preview.content.decode()
    assert 'id="post-scope"' in preview.content.decode()  # worked out, with no button to post it
    posting = client.post(reverse("ledger:simulator"), {**data, "action": "post"})
    assert posting.status_code == 403 and "“代缴保费”" in posting.content.decode()


def test_elder_mode_while_acting_is_saved_on_his_own_account(client, elder_family):
    acting_as(client, elder_family.son, elder_family.principal.person)
    assert client.post(reverse("accounts:elder_mode"), {"enabled": "1", "next": "/"}).status_code == 302
    assert User.objects.get(pk=elder_family.son.pk).elder_mode is True
    assert User.objects.get(pk=elder_family.principal.pk).elder_mode is False
    assert "正在为 张老汉 办理" in client.get("/").content.decode()


def test_signing_out_while_acting_works(client, elder_family):
    acting_as(client, elder_family.son, elder_family.principal.person)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session and SESSION_KEY not in client.session


# --- buttons a view-only proxy does not see -----------------------------------------------------------------


def test_a_view_only_proxy_sees_no_change_buttons(client, elder_family):
    f = elder_family
    f.grant.may_apply = False
    f.grant.save()
    acting_as(client, f.son, f.principal.person)
    assert "添加家人" not in client.get("/bindings/mine/").content.decode()
    detail = client.get(f"/bindings/{f.binding.pk}/").content.decode()
    assert "张秀兰" in detail and "解除共济关系</button>" not in detail
    assert "同意并开始办理" not in client.get("/bindings/apply/?new=1").content.decode()
    assert "设置上限" not in client.get("/ledger/usage/").content.decode()


def test_a_proxy_with_apply_sees_them(client, elder_family):
    acting_as(client, elder_family.son, elder_family.principal.person)
    assert "添加家人" in client.get("/bindings/mine/").content.decode()
    assert "解除共济关系</button>" in client.get(f"/bindings/{elder_family.binding.pk}/").content.decode()
    assert "设置上限" in client.get("/ledger/usage/").content.decode()


# --- both names: timeline, audit log, notices ---------------------------------------------------------------


def test_a_proxy_dissolving_is_recorded_with_both_names(client, elder_family):
    f = elder_family
    acting_as(client, f.son, f.principal.person)
    response = client.post(reverse("bindings:act", args=[f.binding.pk, "dissolve"]))
    assert response.status_code == 302
    f.binding.refresh_from_db()
    assert f.binding.status == Status.DISSOLVED

    event = BindingEvent.objects.filter(binding=f.binding).latest("created_at", "id")
    assert (event.actor_id, event.on_behalf_of_id) == (f.son.pk, f.principal.person_id)
    assert event.acting_kind == ActingKind.PROXY and event.actor_role == ActorRole.AUTHORIZER

    # The resident timeline: the proxy (acting) and the principal read both names in full.
    detail = client.get(f"/bindings/{f.binding.pk}/").content.decode()
    assert "张伟（代办人）代 张老汉" in detail
    client.force_login(f.principal)
    assert "张伟（代办人）代 张老汉" in client.get(f"/bindings/{f.binding.pk}/").content.decode()

    # The audit log: an ACT_FOR row names both (masked, as the admin shows names).
    entry = AuditEntry.objects.get(action=AuditAction.ACT_FOR)
    assert entry.actor_id == f.son.pk and "张*" in entry.detail and "代办人" in entry.detail

    # The notices: the principal (and the other party) are told who did it.
    for person in (f.principal.person, f.daughter):
        notice = Notice.objects.filter(person=person).latest("created_at", "id")
        assert "已解除" in notice.body and "此项由代办人张*代张*汉办理" in notice.body

    # The clerk's case page: both names masked.
    reviewer = clerk("360900", "审核员")
    client.force_login(reviewer)
    case = client.get(reverse("admin:bindings_binding_change", args=[f.binding.pk])).content.decode()
    assert "张*（代办人）代 张*汉" in case and "张老汉" not in case


def test_the_other_party_sees_the_names_masked(client, ward_family):
    f = ward_family
    acting_as(client, f.guardian, f.ward)
    assert client.post(reverse("bindings:act", args=[f.binding.pk, "dissolve"])).status_code == 302
    client.force_login(f.mother)
    detail = client.get(f"/bindings/{f.binding.pk}/").content.decode()
    assert "王*国（监护人）代 王*宇" in detail
    notice = Notice.objects.filter(person=f.mother.person).latest("created_at", "id")
    assert "此项由监护人王*国代王*宇办理" in notice.body


def test_a_proxys_application_that_takes_effect_at_once_names_him(client, elder_family):
    f = elder_family
    acting_as(client, f.son, f.principal.person)
    sister = InsuredPersonFactory(district=YICHUN, name="张秀梅", birth=date(1975, 5, 5), resident=True)
    case = client.post("/bindings/apply/", {"agree": "1"}).url.split("/")[3]
    data = {"id_type": "resident_id", "id_number": sister.id_number, "name": sister.name, "relationship": "child"}
    assert client.post(f"/bindings/applications/{case}/relative/", data).status_code == 302
    binding = Binding.objects.get(relative=sister)
    client.post(
        f"/bindings/applications/{case}/proof/",
        {"action": "upload", "binding": binding.pk, "kind": "household_register", "file": jpeg_upload()},
    )
    assert step_up(client).post(f"/bindings/applications/{case}/summary/", {"commitment": "on"}).status_code == 302
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    notice = Notice.objects.filter(person=f.principal.person, binding=binding).latest("created_at", "id")
    assert "已生效" in notice.body and "此项由代办人张*代张*汉办理" in notice.body


def test_a_step_he_took_himself_names_no_proxy(elder_family):
    assert "此项由" not in _body(elder_family.binding, NoticeEvent.ACTIVATED)


# --- cost ---------------------------------------------------------------------------------------------------


def _delegation_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    tables = ("accounts_guardianship", "accounts_proxygrant")
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in tables)]


def test_the_switcher_costs_at_most_two_queries_and_only_where_it_is_shown(client, rf, ward_family):
    client.force_login(ward_family.mother)  # a resident without a household
    assert len(_delegation_queries(client, "/")) <= 2  # the first page asks (unless cached already)
    assert len(_delegation_queries(client, "/")) == 0  # later pages know he acts for nobody
    # The context processor itself asks nothing until a template renders the switcher.
    request = rf.get("/")
    request.user = User.objects.select_related("person").get(pk=ward_family.guardian.pk)
    with CaptureQueriesContext(connection) as queries:
        context = hall(request)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert [a.person.name for a in context["household"]] == ["王建国", "王小宇"]
    assert len(queries) <= 2
