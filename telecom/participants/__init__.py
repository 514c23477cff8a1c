"""People, registrations (one per person, edition and category), badges, check-in."""
