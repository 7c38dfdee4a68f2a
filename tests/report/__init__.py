"""Tests of the ``report`` wing.

The review document.
"""
