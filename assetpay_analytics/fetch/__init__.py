"""The fetch wing (internal): the wire, for any AssetPay endpoint.

Everything between an endpoint's query and its pages, for an endpoint handed to it:

- ``endpoint``: the contract an endpoint declares (``Endpoint``: path, method, rate family,
  cache expiry, the shape of ``data``, a fast reading, its pages) and a ``Query``'s;
- ``reader``: one query's pages: one request or counted ``paging``, retries, cache-only
  answers; ``paging``: counted pages (``limit=-1`` first, exact or read again);
- ``request``: one attempt (headers, redirects refused, a wall-clock bound) and its
  answer as a ``Page`` or a typed error; ``page``: the ``Page``; ``answers``: a
  response's body read once (envelope, the endpoint's reading, whether it may be stored);
- ``session``: requests-cache first, the rate budgets after, the endpoints served
  (``Routes``), JSON rows; ``sqlite_backend``: requests-cache's SQLite backend with one
  connection per thread; ``keys``: the cache key, one-way fingerprints only;
- ``retry``: ``RetryPolicy``, ``Retry-After``, deadlines; ``budget``: a merchant's rate
  budget per (api key, rate family), paced and shared by processes, bounded against
  hostile input; ``budget_file``: its sqlite file (where, opening, repair);
- ``cache``: where the cache lives, its health, its administration; ``offline``: answers
  from the cache alone; ``hits``: a batch's cache hits in bulk;
- ``fanout``: many inputs on a thread pool (progress, an outage budget, Ctrl-C);
  ``jobs``: a batch's inputs and failure records;
- ``settings``: the client's settings and the arguments every call shares, checked.

Nothing here knows a particular endpoint: ``endpoints`` declares them. It may import the
ground floor and ``frame.bodies`` (JSON bodies); never ``endpoints``, the client,
``analysis``, ``plots`` or ``report``. Internal: the public names it defines (``Page``,
``RetryPolicy``, ``CacheInfo``) are re-exported by the package.
"""
