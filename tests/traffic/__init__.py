"""Tests of web-traffic counting, its import and its organizer page."""
