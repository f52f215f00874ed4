"""Supplier -> open tenders ("opportunities for you")."""

from coopmatch.matching import TenderQuery
from coopmatch.matching.opportunities import OpportunityIndex

from .conftest import LEEDS


def test_opportunities_for_a_supplier(register, school_meals, grounds_with_lots, tmp_path):
    it_tender = TenderQuery(
        id=300,
        title="Cyber security review",
        description="IT security testing and support",
        cpv_codes=["72000000"],
        value=80_000,
        **LEEDS,
    )
    index = OpportunityIndex.build([school_meals, grounds_with_lots, it_tender])
    meals = index.for_supplier(register[0])
    assert meals[0].tender_id == 100
    assert meals[0].lot_id is None
    assert {r.kind for r in meals[0].reasons} >= {"text", "cpv", "buyer", "geography"}

    hedges = index.for_supplier(register[4], top_k=1)
    assert [(o.tender_id, o.lot_id) for o in hedges] == [(200, 202)]
    assert hedges[0].reasons[0].kind == "lot"

    it = index.for_supplier(register[2], top_k=1)
    assert it[0].tender_id == 300

    index.save(tmp_path / "open")
    loaded = OpportunityIndex.load(tmp_path / "open")
    assert [o.to_dict() for o in loaded.for_supplier(register[4])] == [
        o.to_dict() for o in index.for_supplier(register[4])
    ]
    assert index.for_supplier(register[0], exclude_tender_ids={100})[0].tender_id != 100


def test_a_supplier_without_a_stated_capacity_is_sized_by_its_largest_contract(school_meals):
    from coopmatch.matching import PastAward

    from .conftest import supplier

    small = TenderQuery(id=1, title="School meals", description="Hot lunches", value=20_000)
    index = OpportunityIndex.build([small, school_meals])
    won = supplier(
        9, "Dinners Co-op", "School meals", awards=[PastAward("Meals", value_gbp=60_000)]
    )
    by_tender = {o.tender_id: o for o in index.for_supplier(won)}
    size = {t: next(r for r in o.reasons if r.kind == "capacity") for t, o in by_tender.items()}
    assert size[1].text.startswith("Big enough: it has won contracts of up to £60,000")
    assert by_tender[1].components["capacity"] == 1.0
    assert school_meals.value > 60_000
    assert size[school_meals.id].data["fits"] is False
    assert by_tender[school_meals.id].components["capacity"] < 1.0


def test_a_framework_is_not_too_big_for_a_small_supplier(register):
    dps = TenderQuery(
        id=5,
        title="School meals dynamic purchasing system",
        description="Hot lunches for schools",
        value=140_000_000,
        framework=True,
    )
    found = OpportunityIndex.build([dps]).for_supplier(register[0])
    size = next(r for r in found[0].reasons if r.kind == "capacity")
    assert size.text.startswith("A framework or dynamic purchasing system: its £140 million")
    assert size.data["fits"] is None
