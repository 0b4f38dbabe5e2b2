"""Benchmarks for salesperf: `make bench` runs them and records the figures in docs/performance.md."""
