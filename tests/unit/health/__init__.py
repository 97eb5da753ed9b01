"""Unit tests of bootguard.health."""
