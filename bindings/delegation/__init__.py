"""Acting for someone else, as residents and clerks handle it: guardianships (guardians.py) and proxies
(proxies.py). Who may act for whom is decided by accounts.acting; this package creates and ends the records."""
