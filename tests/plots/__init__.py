"""Tests of the ``plots`` wing.

The charts against their baselines.
"""
