"""docs/policy-coverage.md is generated from the policy data; CI fails when the two part ways."""

import pytest
from django.conf import settings
from django.core.management import call_command

from policies.coverage import NOT_STATED

pytestmark = pytest.mark.django_db
COMMITTED = settings.BASE_DIR / "docs" / "policy-coverage.md"


def test_the_committed_coverage_table_matches_the_data(policies, tmp_path):
    output = tmp_path / "policy-coverage.md"
    call_command("policy_report", output=output)
    generated = output.read_text(encoding="utf-8")
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "docs/policy-coverage.md is out of date: run `python manage.py load_policies && python manage.py "
        "policy_report` and commit the result"
    )


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start : end if end != -1 else None]


def test_the_table_shows_values_with_their_level_source_and_quote(policies, tmp_path):
    output = tmp_path / "policy-coverage.md"
    call_command("policy_report", output=output)
    text = output.read_text(encoding="utf-8")
    guigang = section(text[text.index("## 贵港市（450800）") :], "### 自 2024-09-01 起")
    assert (
        "| 同时绑定上限（人） | 7 | 贵港市 | 未注明 | seed-003 | "
        "“一个医保个人账户最多可以同时绑定7名近亲属,每名近亲属仅限接受一个参保人的授权绑定。” |"
    ) in guigang
    assert "| 累计绑定上限（人） | 未在来源中说明 |" in guigang and NOT_STATED == "未在来源中说明"
    assert "| 共济资金使用范围 | 本省（区）内使用 | 沿用广西壮族自治区 |" in guigang
    assert "起付线未在来源中说明" in guigang  # 贵港 居民 pooling: seed 003 gives no deductible
    hunan = text[text.index("## 湖南省（430000）") :]
    assert "2025年度个人缴费400元，集中缴费截止2024-12-31，逾期另缴670元" in hunan
