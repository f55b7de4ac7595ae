"""Helpers for testing what alpr-gen builds (not imported by the CLI)."""
