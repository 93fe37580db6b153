"""Transport: the JSON API and (later) the staff web pages, on FastAPI."""
