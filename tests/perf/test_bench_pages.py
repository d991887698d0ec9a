"""The benchmark measures every resident page issue 16 names, each against the bare page, with its target line."""

from bench.run import page_set

ISSUE_PAGES = {
    "policy_index", "policy", "compare", "guide", "mine", "detail", "notices", "precheck", "wizard_notice",
    "wizard_relative", "wizard_proof", "wizard_summary", "usage", "statement", "simulator", "premium", "document",
    "home",
}  # fmt: skip


def _seed():
    precheck = {"session": "s-pre", "path": "/bindings/applications/GJ1/relative/", "body": {}}
    return {"csrf": "c", "resident_session": "s-res", "admin_session": "s-adm", "clerk_session": "s-clk",
            "supervisor_session": "s-sup", "clerk_region": "360900", "case": 7, "document": "d0c",
            "binding": 5, "prechecks": [precheck]}  # fmt: skip


def test_every_resident_page_of_the_issue_is_measured_with_a_target():
    pages = {page["key"]: page for page in page_set(_seed(), 8770)}
    assert {key for key, page in pages.items() if page.get("resident")} >= ISSUE_PAGES
    assert pages["bare"]["path"] == "/bench/bare/" and not pages["bare"].get("resident")
    assert pages["chrome"]["path"] == "/bench/chrome/"  # the cost of base.html alone, for comparison
    assert pages["detail"]["path"] == "/bindings/5/"
    # The wizard's later steps are the pre-check resident's draft, measured after his pre-check added a relative.
    keys = list(pages)
    assert keys.index("precheck") < keys.index("wizard_proof") < keys.index("wizard_summary")
    for step in ("relative", "proof", "summary"):
        page = pages[f"wizard_{step}"]
        assert page["path"] == f"/bindings/applications/GJ1/{step}/" and page["session"] == "s-pre"
