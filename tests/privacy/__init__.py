"""Personal data at rest and the web side's hardening (issue 6)."""
