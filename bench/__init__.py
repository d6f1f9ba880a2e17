"""Issue #9: the benchmark run by `make bench`."""
