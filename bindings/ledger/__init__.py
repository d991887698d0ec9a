"""The personal-account ledger (个人账户收支明细): balances, settlements, 代缴 and per-relative caps.

- models: bindings/models/ledger.py (the `bindings` app label);
- pure arithmetic, no database: money.py (fen and 元), pooling.py (门诊统筹), settlement.py (who pays the rest);
- services.py writes (every balance change is one LedgerEntry), selectors.py and premiums.py read;
- corrections.py: a supervisor's balance correction, one adjustment entry with a reason, audited;
- forms.py, views.py, urls.py (/ledger/), admin.py (read-only for every clerk, plus the correction page).
"""
