"""Regie measured: `python -m bench`; see bench/RESULTS.md."""
