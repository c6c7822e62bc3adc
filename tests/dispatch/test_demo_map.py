"""The demo county ships a schematic county map in which its tickets lie in their own township."""

from __future__ import annotations

import pytest

from dispatch.models import Ticket
from enforcement.maps import active_map, validate_county_map
from enforcement.models import CountyMap


@pytest.mark.django_db
def test_demo_county_map_is_valid_and_holds_its_tickets(demo_county):
    county_map = CountyMap.objects.get()
    assert county_map.is_active and validate_county_map(county_map.geojson) == []
    squares = {f["properties"]["name"]: f["geometry"]["coordinates"][0] for f in active_map()["features"]}
    tickets = list(
        Ticket.objects.filter(lat__isnull=False, township__isnull=False).values_list("township__name", "lat", "lng")[
            :500
        ]
    )
    assert tickets

    def inside(name, lat, lng) -> bool:
        ring = squares[name]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        return min(lngs) <= lng <= max(lngs) and min(lats) <= lat <= max(lats)

    assert all(inside(*t) for t in tickets)
