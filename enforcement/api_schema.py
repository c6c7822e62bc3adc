"""The OpenAPI schema class of every API operation (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).

Its own module: drf-spectacular's AutoSchema imports DRF's generic views, which
load the pagination class from enforcement.api_base.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with pages only where the API pages.

    drf-spectacular pages every answer that is a list when the view has a
    pagination class; here only the ``list`` action pages, and the actions that
    answer several rows (a ticket's history, duplicates and matter suggestions,
    an item's revocation) return a plain array. Schemathesis found the mismatch.
    """

    def _get_paginator(self):
        if getattr(self.view, "action", None) not in (None, "list"):
            return None
        return super()._get_paginator()
