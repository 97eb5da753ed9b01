"""Unit tests of bootguard.manifest."""
