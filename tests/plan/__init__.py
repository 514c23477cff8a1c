"""Tests of the strategic-plan model: loading, organizer pages, the plan API."""
