"""Tests of the ``frame`` wing.

JSON -> typed frames: the builders, the Arrow path against the Python one, Parquet.
"""
