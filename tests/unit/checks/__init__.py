"""Unit tests of bootguard.checks."""
