"""API filters of the case list."""

from __future__ import annotations

import operator
from functools import reduce

from enforcement.api_base import SearchFilter
from enforcement.cases.selectors import case_text_q


class CaseSearchFilter(SearchFilter):
    """``?search=``: each term (split as DRF splits them) must match, as on the page (``case_text_q``).

    The same columns as ``search_fields``, with the page's rules: each column served by its
    trigram index, and a whole registry number matched on the number exactly.
    """

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms:
            return queryset
        return queryset.filter(reduce(operator.and_, (case_text_q(term) for term in terms)))
