"""Tests of the ``history`` wing.

The snapshot store.
"""
