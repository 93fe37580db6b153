"""Tamper evidence and the exported history of an incident."""
