"""Fixtures shared by the issue 12 tests (guardians and proxies) go in the test files themselves."""
