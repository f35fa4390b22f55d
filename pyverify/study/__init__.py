"""Studies over many seeds: the sweep (in process or on Dask) and what it writes (report)."""
