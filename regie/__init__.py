"""Regie's composition root: settings, the service functions, the worker and the CLI."""
