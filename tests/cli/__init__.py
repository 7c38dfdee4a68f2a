"""Tests of the ``cli`` wing.

The command line.
"""
