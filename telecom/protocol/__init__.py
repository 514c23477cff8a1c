"""VIPs and protocol: invitations, RSVP, delegations, precedence, bilateral meeting rooms."""
