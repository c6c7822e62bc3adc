"""Open311 GeoReport v2 endpoint of the ticket desk, under /open311/v2/ (no login).

Services are the active problem categories (``TicketCategory``); service
requests are tickets. Creating one needs an ``api_key``: the DRF token of a
client system in the group ``intake:open311`` (see ``dispatch.api_intake``).
Reading is open to all, and shows what the public may know only: no
reporter's name, phone or e-mail, no internal field, and only tickets that
came from the public (not a township's own calls or patrol reports).

Specification: http://wiki.open311.org/GeoReport_v2 (JSON and XML).
"""
