"""Unit tests of bootguard.environment."""
