"""Tests of the ``fetch`` wing.

The wire for any endpoint: budget, cache, session, hits, retries, paging, batches, the seam.
"""
