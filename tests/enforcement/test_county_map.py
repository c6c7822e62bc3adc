"""The county map: township boundaries uploaded as GeoJSON in admin, checked on upload, served to staff."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enforcement.maps import schematic, validate_county_map
from enforcement.models import CountyMap


def square(lng: float, lat: float, half: float = 0.02) -> list:
    return [
        [
            [lng - half, lat - half],
            [lng + half, lat - half],
            [lng + half, lat + half],
            [lng - half, lat + half],
            [lng - half, lat - half],
        ]
    ]


def feature(props: dict, coordinates=None, kind: str = "Polygon") -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": coordinates if coordinates is not None else square(120, 30)},
    }


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def upload(data, name: str = "county.geojson") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


def test_a_map_with_every_township_by_code_or_name_is_valid(county):
    data = collection(feature({"code": "TA"}), feature({"name": "乙街道"}, [square(120.1, 30)], "MultiPolygon"))
    assert validate_county_map(data) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "没有任何要素"),
        (collection(feature({"code": "NOPE"})), "与任何乡镇（街道）都不对应"),
        (collection(feature({"code": "TA"}), feature({"code": "TA"})), "出现了不止一次"),
        (
            collection(
                {
                    "type": "Feature",
                    "properties": {"code": "TA"},
                    "geometry": {"type": "Point", "coordinates": [120, 30]},
                }
            ),
            "Polygon 或 MultiPolygon",
        ),
        (collection(feature({"code": "TA"}, [[[120, 30], [121, 30], [120, 30]]])), "至少要有 4 个坐标点"),
        (collection(feature({"code": "TA"}, [[[30, 120], [30, 121], [31, 121], [30, 120]]])), "超出经纬度范围"),
        (collection(feature({"code": "TA"}, [[[120, 30], [121, 30], [121, 31], [120, 31]]])), "闭合"),
        (collection(feature({"code": "TA"}, [[["120", "30"], [121, 30], [121, 31], ["120", "30"]]])), "数字对"),
    ],
)
def test_a_broken_map_is_refused_with_the_reason(county, data, message):
    errors = validate_county_map(data)
    assert errors and message in " ".join(errors), errors


def test_administrator_uploads_a_map_in_admin_which_replaces_the_active_one(client_for, administrator, county):
    client = client_for(administrator)
    old = CountyMap.objects.create(name="旧图", geojson=schematic([county.town_a], (30.0, 120.0)))
    url = reverse("admin:enforcement_countymap_add")
    good = collection(feature({"code": "TA"}), feature({"code": "TB"}, square(120.04, 30)))
    response = client.post(url, {"name": "县乡镇边界", "is_active": "on", "upload": upload(good)})
    assert response.status_code == 302, response.content.decode()[:2000]
    new = CountyMap.objects.get(name="县乡镇边界")
    assert new.is_active and new.uploaded_by == administrator and len(new.geojson["features"]) == 2
    old.refresh_from_db()
    assert not old.is_active


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "不是有效的 JSON"),
        (json.dumps(collection(feature({"code": "NOPE"}))).encode(), "都不对应"),
        (None, "请上传 GeoJSON 文件"),
    ],
)
def test_admin_refuses_a_broken_upload(client_for, administrator, county, content, message):
    data = {"name": "坏图", "is_active": "on"}
    if content is not None:
        data["upload"] = upload(content)
    response = client_for(administrator).post(reverse("admin:enforcement_countymap_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CountyMap.objects.exists()


def test_map_endpoint_serves_the_active_map_named_after_the_townships(client, client_for, officer_a, county):
    url = reverse("public-county-map")
    assert client_for(officer_a).get(url).status_code == 404
    CountyMap.objects.create(
        name="图", geojson=collection(feature({"code": "TA", "extra": "x"}), feature({"name": "乙街道"}))
    )
    data = client_for(officer_a).get(url).json()
    assert [f["properties"] for f in data["features"]] == [
        {"name": "甲镇", "code": "TA"},
        {"name": "乙街道", "code": "TB"},
    ]
    # Township boundaries are public: the public report form lets residents pick the place on the map.
    client.logout()
    assert client.get(url).json() == data


def test_schematic_map_is_valid_and_holds_one_square_per_township(county):
    data = schematic([county.town_a, county.town_b], (30.05, 119.95))
    assert validate_county_map(data) == []
    assert len(data["features"]) == 2
