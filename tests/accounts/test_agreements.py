"""The agreements named at registration are pages of their own, linked from the registration form."""

import pytest

pytestmark = pytest.mark.django_db


def test_registration_links_each_agreement(client):
    page = client.get("/accounts/register/").content.decode()
    assert '<a href="/accounts/agreements/terms/">《用户服务协议》</a>' in page
    assert '<a href="/accounts/agreements/privacy/">《个人信息保护政策》</a>' in page
    assert 'target="_blank"' not in page.split('id="agreement-links"')[1].split("</p>")[0]


@pytest.mark.parametrize(
    ("slug", "title", "facts"),
    [
        ("terms", "用户服务协议", ["实名注册", "家庭共济", "12393"]),
        (
            "privacy",
            "个人信息保护政策",
            ["保存多久", "139****0001", "证明材料从不公开", "查看记录", "个人信息保护法", "12393"],
        ),
    ],
)
def test_each_agreement_is_a_page_with_its_content(client, slug, title, facts):
    response = client.get(f"/accounts/agreements/{slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<h1 class="h4" id="agreement-title">{title}</h1>' in page
    for fact in facts:
        assert fact in page, fact


def test_an_unknown_agreement_is_404(client):
    assert client.get("/accounts/agreements/nothing/").status_code == 404
