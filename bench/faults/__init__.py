"""Fault scenarios: a worker killed, PostgreSQL, SMTP and Temporal restarted mid-burst."""
