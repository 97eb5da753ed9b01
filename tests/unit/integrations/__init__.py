"""Unit tests of bootguard.integrations."""
