"""Benchmarks: `make bench` (all) or `.venv/bin/python -m bench NAME…`; each prints its figures."""
