"""Fake Microsoft identity platform (see ../README.md)."""
