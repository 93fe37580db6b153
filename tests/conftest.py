"""Shared pytest configuration: fixture plugins used across the test tree."""

pytest_plugins = [
    "tests.fixtures.keys",
    "tests.fixtures.smtp",
    "tests.fixtures.database",
    "tests.fixtures.temporal",
    "tests.fixtures.world",
    "tests.fixtures.api",
    "tests.fixtures.openid_provider",
]
