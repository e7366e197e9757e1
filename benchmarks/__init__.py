"""Benchmarks for offlabel-tracker (see benchmarks/README.md); not run by the test suite."""
