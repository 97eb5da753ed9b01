"""Unit tests: fast and in-process, one module per source module."""
