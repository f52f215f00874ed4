"""Hand-made areas, registers and demand for the gap report."""

from datetime import date

import pytest

from coopmatch.gaps import Area, DemandItem, GapSettings, LocalSupplier
from coopmatch.matching import SupplierProfile

# Preston and Chorley (Lancashire), and Leeds outside it, as plain data.
PRESTON = {
    "latitude": 53.759,
    "longitude": -2.699,
    "lad_code": "E07000123",
    "county_code": "E10000017",
    "region_code": "E12000002",
}
CHORLEY = {
    "latitude": 53.653,
    "longitude": -2.632,
    "lad_code": "E07000118",
    "county_code": "E10000017",
    "region_code": "E12000002",
}
LEEDS = {
    "latitude": 53.800,
    "longitude": -1.549,
    "lad_code": "E08000035",
    "county_code": "E11000006",
    "region_code": "E12000003",
}
LANCASHIRE = {f"E07000{n}" for n in range(117, 129)}

LAUNDRY_TEXT = (
    "Commercial laundry and linen hire: washing, ironing and dry cleaning of hospital linen, "
    "bedding, towels and staff uniforms."
)


@pytest.fixture
def area() -> Area:
    return Area(lad_codes=LANCASHIRE, name="Lancashire")


@pytest.fixture
def settings() -> GapSettings:
    return GapSettings(as_of=date(2025, 1, 1))


def notice(tender_id, title, cpv, value, *, lot_id=None, place=PRESTON, **fields) -> DemandItem:
    fields.setdefault("buyer_id", 10)
    fields.setdefault("buyer_name", "Lancashire Teaching Hospitals")
    fields.setdefault("status", "awarded")
    return DemandItem(
        tender_id=tender_id,
        lot_id=lot_id,
        ocid=f"ocds-test-{tender_id}",
        title=title,
        cpv_codes=list(cpv),
        value_gbp=value,
        **place,
        **fields,
    )


def laundry(
    tender_id,
    year,
    *,
    buyer_id=10,
    buyer_name="Lancashire Teaching Hospitals",
    value=300_000,
    **fields,
) -> DemandItem:
    """A yearly hospital laundry contract starting in April of `year`."""
    fields.setdefault(
        "description",
        "Washing, ironing and delivery of hospital linen, bedding "
        "and staff uniforms for the trust's wards and theatres.",
    )
    return notice(
        tender_id,
        "Linen and laundry services",
        ["98310000"],
        value,
        buyer_id=buyer_id,
        buyer_name=buyer_name,
        published=date(year, 1, 15),
        contract_start=date(year, 4, 1),
        contract_end=date(year + 1, 3, 31),
        **fields,
    )


def profile(id, name, text, place=PRESTON, **fields) -> SupplierProfile:
    return SupplierProfile(id=id, name=name, text=text, **place, **fields)


def local(id, name, *, place=PRESTON, **fields) -> LocalSupplier:
    return LocalSupplier(
        id=id,
        name=name,
        lad_code=place["lad_code"],
        latitude=place["latitude"],
        longitude=place["longitude"],
        **fields,
    )


def register_of(profiles, **extra) -> dict[int, LocalSupplier]:
    """Return the report's view of engine profiles (extra: per-id LocalSupplier fields)."""
    found = {}
    for p in profiles:
        place = {"lad_code": p.lad_code, "latitude": p.latitude, "longitude": p.longitude}
        found[p.id] = LocalSupplier(
            id=p.id,
            name=p.name,
            ownership=p.ownership,
            cpv_codes=p.all_cpv_codes,
            capacity_gbp=p.capacity_gbp,
            **place,
            **extra.get(p.id, {}),
        )
    return found
