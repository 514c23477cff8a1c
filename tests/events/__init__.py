"""Tests for editions and candidate venues (page helpers live in tests.core)."""
