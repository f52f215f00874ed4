from dataclasses import dataclass

from coopmatch.spend import (
    BRANCH,
    AnchorArea,
    SupplierLocation,
    classify_supplier,
    location_tier,
)
from tests.spend.handmade import (
    GREATER_MANCHESTER,
    HYNDBURN,
    LANCASHIRE,
    LEEDS,
    MANCHESTER,
    NORTH_WEST,
    PENDLE,
    YORKSHIRE,
)

AREA = AnchorArea(HYNDBURN, LANCASHIRE, NORTH_WEST)


def test_each_tier():
    assert location_tier(AREA, SupplierLocation(lad_code=HYNDBURN)) == "local_authority"
    pendle = SupplierLocation(lad_code=PENDLE, wider_code=LANCASHIRE, region_code=NORTH_WEST)
    assert location_tier(AREA, pendle) == "wider_area"
    manchester = SupplierLocation(
        lad_code=MANCHESTER, wider_code=GREATER_MANCHESTER, region_code=NORTH_WEST
    )
    assert location_tier(AREA, manchester) == "region"
    assert location_tier(AREA, SupplierLocation(lad_code=LEEDS, region_code=YORKSHIRE)) == (
        "rest_of_uk"
    )
    assert location_tier(AREA, SupplierLocation(lad_code="W06000015")) == "rest_of_uk"
    assert location_tier(AREA, SupplierLocation(country="Ireland")) == "outside_uk"
    assert location_tier(AREA, SupplierLocation()) == "unknown"
    assert location_tier(AREA, SupplierLocation(country="E92000001")) == "unknown"


def test_the_wider_area_can_be_given_as_districts():
    area = AnchorArea(HYNDBURN, wider_lad_codes=frozenset({HYNDBURN, PENDLE}))
    assert location_tier(area, SupplierLocation(lad_code=PENDLE)) == "wider_area"


def test_a_branch_in_the_area_makes_a_supplier_local():
    tier = classify_supplier(
        AREA,
        [
            SupplierLocation(lad_code=LEEDS, region_code=YORKSHIRE),
            SupplierLocation(kind=BRANCH, lad_code=HYNDBURN),
            SupplierLocation(kind=BRANCH, lad_code=PENDLE, wider_code=LANCASHIRE),
        ],
    )
    assert (tier.tier, tier.registered_office, tier.branch) == (
        "local_authority",
        "rest_of_uk",
        "local_authority",
    )
    assert classify_supplier(AREA, []).tier == "unknown"


def test_a_geo_place_becomes_a_location():
    @dataclass
    class Place:  # the fields coopmatch.geo.Place has
        lad_code: str | None
        county_code: str | None
        region_code: str | None
        country: str | None

    location = SupplierLocation.from_place(Place(PENDLE, LANCASHIRE, NORTH_WEST, "England"))
    assert location_tier(AREA, location) == "wider_area"
