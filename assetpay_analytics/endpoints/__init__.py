"""The endpoints wing (internal): one module per AssetPay endpoint, each behind one seam.

An endpoint module declares what ``fetch`` needs to know of it (a ``fetch.endpoint.Endpoint``:
path, method, rate family, cache expiry, the shape of ``data``, how its pages are asked for
and checked) together with its arguments and local checks, and the frame builder that reads
it (``base.FramedEndpoint``). The client's methods are thin calls of them.

- ``inventory``: ``GET /secure/inventory``: the query and its checks, its counted paging,
  ``INVENTORY`` and its frame;
- ``inventories``: many inventories at once: the batch's own checks and its one frame;
- ``prices``: ``GET /secure/prices``: the price book's query, ``PRICES`` and its frame;
- ``check_tradeurl``: ``POST /secure/check-tradeurl``: one check's query and JSON body,
  ``CHECK_TRADEURL``, a batch's screening frame, and the accounts a screened inventory
  batch leaves out;
- ``base``: ``FramedEndpoint``, an endpoint with its frame builder.

May import the ground floor, ``frame`` and ``fetch``; never the client, ``analysis``,
``plots`` or ``report``.
"""
