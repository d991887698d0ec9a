"""The clerk roles as groups: one definition for the migrations, the demo seed and the tests.

Transactional tests flush every table, and Django's flush recreates permissions but not the groups a data
migration made; `ensure_roles` puts them back.
"""

ROLES = {
    "审核员": [
        ("bindings", "view_binding"),
        ("bindings", "decide_binding"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "view_auditentry"),
        # Guardianships: the review queue and the decision; parent links and proxies, read-only.
        ("accounts", "view_guardianship"),
        ("accounts", "decide_guardianship"),
        ("accounts", "view_familylink"),
        ("accounts", "view_proxygrant"),
    ],
    "窗口经办员": [
        ("bindings", "view_binding"),
        ("bindings", "use_counter"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "change_insuredperson"),
        ("accounts", "view_auditentry"),
    ],
    "主管": [
        ("bindings", "view_binding"),
        ("bindings", "decide_binding"),
        ("bindings", "use_counter"),
        ("bindings", "view_all_regions"),
        ("bindings", "correct_balance"),
        ("bindings", "view_application"),
        ("bindings", "view_document"),
        ("bindings", "view_bindingevent"),
        ("accounts", "view_insuredperson"),
        ("accounts", "change_insuredperson"),
        ("accounts", "view_auditentry"),
        ("accounts", "view_smsmessage"),
        # Guardianships: the review queue and the decision; parent links and proxies, read-only.
        ("accounts", "view_guardianship"),
        ("accounts", "decide_guardianship"),
        ("accounts", "view_familylink"),
        ("accounts", "view_proxygrant"),
        # Next year's 居民医保 premium standard, with its source (policies.admin.PremiumAmountAdmin).
        ("policies", "view_premiumamount"),
        ("policies", "add_premiumamount"),
        ("policies", "change_premiumamount"),
        ("policies", "view_policyversion"),
        ("policies", "view_source"),
    ],
}
# Every clerk role may read the ledger.
LEDGER_VIEW = [("bindings", "view_ledgerentry"), ("bindings", "view_settlement"), ("bindings", "view_premiumpayment")]


def ensure_roles(group_model=None, permission_model=None, *, with_ledger: bool = True) -> None:
    """Create the groups and give them their permissions (idempotent). Migrations pass their historical models."""
    if group_model is None:
        from django.contrib.auth.models import Group as group_model  # noqa: N813
        from django.contrib.auth.models import Permission as permission_model  # noqa: N813
    for name, perms in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = perms + (LEDGER_VIEW if with_ledger else [])
        for app_label, codename in wanted:
            permission = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)
