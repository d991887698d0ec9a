"""The offline counter (医保经办窗口): a clerk serves a walk-in resident on the same binding services.

- permissions.py: who may use the desk and for which region;
- services.py: tickets, look-ups, applications made and submitted at the counter;
- selectors.py: the desk's reads, limited to the clerk's region;
- status.py: a registry status change in two steps (reason, then confirmation), also used by the admin registry;
- views.py, urls.py (/counter/): the desk, the person page, the application and its receipt.
"""
