"""Demo data for a new office (`generate`) and the large histories the benchmark builds
(`bulk`). The top of the core: may import any package below.
"""
