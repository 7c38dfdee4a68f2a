"""Tests of the ``sandbox`` wing.

The AssetPay-compatible sandbox: answers, aging, demo data, faults.
"""
