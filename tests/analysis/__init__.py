"""Tests of the ``analysis`` wing.

The pricing analysis and drift, worked by hand on small frames.
"""
