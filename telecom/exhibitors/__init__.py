"""Exhibiting organisations, halls and booths, bookings with holds, pavilions, staff."""
