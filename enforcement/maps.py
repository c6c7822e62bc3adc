"""The county map's GeoJSON: checked on upload, a schematic one for the demo, shaped for ECharts.

A map is a GeoJSON ``FeatureCollection`` (RFC 7946: longitude before
latitude, WGS 84) with one ``Polygon`` or ``MultiPolygon`` feature per
township, whose ``properties.code`` is the township's agency code (机构代码)
or whose ``properties.name`` is its name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from enforcement.models import TOWNSHIP_KINDS, Agency, CountyMap

MAX_FEATURES = 500
MAX_POSITIONS = 200_000


def _check_ring(ring, where: str, errors: list[str], counter: list[int]) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        errors.append(_("%(where)s：每个环至少要有 4 个坐标点。") % {"where": where})
        return
    for position in ring:
        counter[0] += 1
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            errors.append(_("%(where)s：坐标必须是 [经度, 纬度] 数字对。") % {"where": where})
            return
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            errors.append(
                _("%(where)s：坐标 [%(lng)s, %(lat)s] 超出经纬度范围（应为 [经度, 纬度]）。")
                % {"where": where, "lng": lng, "lat": lat}
            )
            return
    if ring[0][:2] != ring[-1][:2]:
        errors.append(_("%(where)s：环的首尾坐标必须相同（闭合）。") % {"where": where})


def validate_county_map(data, townships: Iterable[Agency] | None = None) -> list[str]:
    """Every problem of ``data`` as a message an administrator can act on (empty: the map is fine)."""
    if townships is None:
        townships = Agency.objects.filter(kind__in=TOWNSHIP_KINDS)
    by_code = {a.code: a for a in townships}
    by_name = {a.name: a for a in by_code.values()}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [_('文件必须是 GeoJSON 的 FeatureCollection（type 为 "FeatureCollection"）。')]
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return [_("FeatureCollection 中没有任何要素（features）。")]
    if len(features) > MAX_FEATURES:
        return [_("要素过多（最多 %(n)s 个）。") % {"n": MAX_FEATURES}]
    errors: list[str] = []
    seen: set[str] = set()
    counter = [0]
    for index, feature in enumerate(features, start=1):
        where = _("第 %(n)s 个要素") % {"n": index}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("%(where)s：不是 Feature。") % {"where": where})
            continue
        props = feature.get("properties") or {}
        township = by_code.get(str(props.get("code", ""))) or by_name.get(str(props.get("name", "")))
        if township is None:
            errors.append(
                _("%(where)s：properties 中的 code（机构代码）或 name 与任何乡镇（街道）都不对应。") % {"where": where}
            )
        elif township.code in seen:
            errors.append(_("%(where)s：%(name)s 出现了不止一次。") % {"where": where, "name": township.name})
        else:
            seen.add(township.code)
            where = f"{where}（{township.name}）"
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon" and isinstance(coordinates, list) and coordinates:
            polygons = [coordinates]
        elif kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
            polygons = coordinates
        else:
            errors.append(_("%(where)s：几何类型必须是 Polygon 或 MultiPolygon。") % {"where": where})
            continue
        for polygon in polygons:
            if not isinstance(polygon, list) or not polygon:
                errors.append(_("%(where)s：多边形没有坐标。") % {"where": where})
                break
            for ring in polygon:
                _check_ring(ring, where, errors, counter)
        if counter[0] > MAX_POSITIONS:
            return [_("坐标点过多（最多 %(n)s 个），请先简化边界。") % {"n": MAX_POSITIONS}]
    return errors


def for_echarts(data: dict, townships: Iterable[Agency]) -> dict:
    """The map with each feature's ``properties`` reduced to the township's name and code.

    ECharts ties a region to its figures by ``properties.name``; the name is
    taken from the agency so that renaming a township needs no new upload.
    """
    by_code = {a.code: a for a in townships}
    by_name = {a.name: a for a in by_code.values()}
    features = []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        township = by_code.get(str(props.get("code", ""))) or by_name.get(str(props.get("name", "")))
        if township is not None:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": township.name, "code": township.code},
                    "geometry": feature["geometry"],
                }
            )
    return {"type": "FeatureCollection", "features": features}


def active_map() -> dict | None:
    """The active map shaped for ECharts, or None when none is uploaded (two queries)."""
    county_map = CountyMap.objects.active().only("geojson").order_by("-uploaded_at").first()
    if county_map is None:
        return None
    return for_echarts(county_map.geojson, Agency.objects.filter(kind__in=TOWNSHIP_KINDS).only("code", "name"))


def schematic(townships: Iterable[Agency], centre: tuple[float, float], step: float = 0.04) -> dict:
    """A schematic map: one square per township on a 5 x 7 lattice around ``centre`` (lat, lng).

    The demo's tickets are placed on the same lattice (dispatch.demo), so that
    each lands inside its township's square.
    """
    half = step / 2
    features = []
    taken: set[int] = set()
    for township in townships:
        # Townships sharing a sort order take the next free cell of the lattice.
        cell = township.sort_order % 35
        while cell in taken and len(taken) < 35:
            cell = (cell + 1) % 35
        taken.add(cell)
        lat = centre[0] + (cell % 5 - 2) * step
        lng = centre[1] + (cell % 7 - 3) * step
        ring = [
            [lng - half, lat - half],
            [lng + half, lat - half],
            [lng + half, lat + half],
            [lng - half, lat + half],
            [lng - half, lat - half],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": township.code, "name": township.name},
                "geometry": {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}
