"""Browser tests: the real app on a real port, driven by Playwright in Debian's Chromium."""
