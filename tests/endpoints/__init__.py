"""Tests of the ``endpoints`` wing.

The endpoints over real HTTP: an inventory's pages add up or are an error.
"""
