"""The staff web pages: server-rendered, Dutch by default, readable on a phone.

Same FastAPI app and the same access rules as the JSON API (`api.access`); every form carries
a CSRF token; every value is escaped by Jinja2's autoescape.
"""
