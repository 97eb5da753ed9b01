"""Unit tests of the test-support helpers (tests.support)."""
