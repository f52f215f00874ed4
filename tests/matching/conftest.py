"""Small hand-made registers for the matching engine."""

import pytest

from coopmatch.matching import LotQuery, PastAward, SupplierProfile, TenderQuery

# Preston, Blackburn (both Lancashire, North West) and Leeds (Yorkshire) as plain data.
PRESTON = {
    "latitude": 53.759,
    "longitude": -2.699,
    "lad_code": "E07000123",
    "county_code": "E10000017",
    "region_code": "E12000002",
}
BLACKBURN = {
    "latitude": 53.748,
    "longitude": -2.482,
    "lad_code": "E06000008",
    "county_code": None,
    "region_code": "E12000002",
}
LEEDS = {
    "latitude": 53.800,
    "longitude": -1.549,
    "lad_code": "E08000035",
    "county_code": "E11000006",
    "region_code": "E12000003",
}


def supplier(id, name, text, place=PRESTON, **fields):
    return SupplierProfile(id=id, name=name, text=text, **place, **fields)


@pytest.fixture
def register() -> list[SupplierProfile]:
    return [
        supplier(
            1,
            "Ribble Valley Meals Co-operative",
            "School meals and catering for schools, nurseries and care homes. Fresh local food, "
            "kitchen staff and hot lunches.",
            ownership="worker_coop",
            capacity_gbp=400_000,
            cpv_codes=["55524000"],
            awards=[
                PastAward(
                    "School meals service for Lancashire primary schools",
                    "Hot school lunches for 12 primary schools",
                    buyer_id=7,
                    buyer_name="Lancashire County Council",
                    cpv_codes=["55524000"],
                )
            ],
        ),
        supplier(
            2,
            "Greenspace Grounds Maintenance Ltd",
            "Grounds maintenance, grass cutting, hedge trimming, tree surgery and landscaping "
            "for councils and housing associations.",
            ownership="sme",
            capacity_gbp=2_000_000,
            cpv_codes=["77310000"],
            awards=[
                PastAward(
                    "Grounds maintenance of parks and cemeteries",
                    "Grass cutting and shrub bed maintenance",
                    buyer_id=9,
                    cpv_codes=["77313000"],
                )
            ],
        ),
        supplier(
            3,
            "Pennine IT Services",
            "Software development, IT support, cloud hosting and cyber security.",
            place=LEEDS,
            ownership="sme",
            capacity_gbp=5_000_000,
            cpv_codes=["72000000"],
        ),
        supplier(
            4,
            "Leeds Catering Solutions Ltd",
            "School meals and catering for schools, nurseries and care homes. Fresh local food, "
            "kitchen staff and hot lunches.",
            place=LEEDS,
            ownership="sme",
            capacity_gbp=400_000,
            cpv_codes=["55524000"],
        ),
        supplier(
            5,
            "Small Hedges Workers Co-op",
            "Hedge trimming, hedge laying and tree planting. Small grounds maintenance jobs.",
            place=BLACKBURN,
            ownership="worker_coop",
            capacity_gbp=60_000,
            cpv_codes=["77310000"],
        ),
        supplier(
            6,
            "Lancashire Print and Design",
            "Printing, leaflets, graphic design and signage.",
            ownership="employee_owned",
            capacity_gbp=300_000,
            cpv_codes=["79800000"],
        ),
    ]


@pytest.fixture
def school_meals() -> TenderQuery:
    return TenderQuery(
        id=100,
        title="Catering services for primary schools",
        description="Provision of school meals (hot lunches) for 8 primary schools in Preston.",
        cpv_codes=["55524000"],
        value=150_000,
        buyer_id=7,
        buyer_name="Lancashire County Council",
        **PRESTON,
    )


@pytest.fixture
def grounds_with_lots() -> TenderQuery:
    return TenderQuery(
        id=200,
        title="Grounds maintenance for parks",
        description="Grass cutting, shrub beds and hedges across the borough's parks.",
        cpv_codes=["77310000"],
        value=1_500_000,
        buyer_id=9,
        **PRESTON,
        lots=[
            LotQuery(201, "Grass cutting", "Grass cutting of parks and verges", 1_400_000),
            LotQuery(202, "Hedge trimming", "Hedge trimming and hedge laying", 25_000),
        ],
    )
