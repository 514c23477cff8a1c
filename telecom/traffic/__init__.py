"""Web traffic counted by the platform itself, without cookies (the web-traffic KPI)."""
