"""Rows of the permission walk (tests/test_permissions.py) for this part's views."""

ACCESS: dict = {}
