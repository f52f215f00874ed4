"""Supplier -> open tenders ("opportunities for you")."""

import pytest

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


def test_on_a_dynamic_purchasing_system_a_small_supplier_is_not_marked_down_for_size(register):
    contract = TenderQuery(id=5, title="School meals", description="Hot lunches for schools",
                           value=140_000_000)
    dps = TenderQuery(id=6, title="School meals", description="Hot lunches for schools",
                      value=140_000_000, dps=True)
    found = {o.tender_id: o for o in OpportunityIndex.build([contract, dps])
             .for_supplier(register[0])}
    assert found[5].capable_but_too_small is True
    assert found[6].capable_but_too_small is False
    assert found[6].score > found[5].score  # size counts against it only on the contract
    size = next(r for r in found[6].reasons if r.kind == "capacity")
    assert size.text.startswith("A dynamic purchasing system, which firms of any size may join")


def test_keywords_score_a_tender_as_the_supplier_index_does(register, school_meals, tmp_path):

    from coopmatch.matching import MatchIndex, MatchOptions

    suppliers = MatchIndex.build(register)
    plumbing = TenderQuery(id=400, title="Plumbing repairs", description="Boilers and leaks")
    index = OpportunityIndex.build([school_meals, plumbing], learned_from=suppliers)
    meals_coop = register[0]
    found = {o.tender_id: o for o in index.for_supplier(meals_coop, learned_from=suppliers)}
    expected = next(
        m for m in suppliers.match(school_meals, MatchOptions(top_k=10)) if m.supplier_id == 1
    )
    # The same keyword score in both directions: the tender read as the supplier index reads it.
    assert found[100].components["keywords"] == pytest.approx(expected.components["keywords"])
    assert found[100].components["keywords"] > 0.3
    assert found[400].components["keywords"] == 0.0
    # Saved and loaded, it still knows which fit its rows were read with.
    index.save(tmp_path / "open")
    loaded = OpportunityIndex.load(tmp_path / "open")
    again = loaded.for_supplier(meals_coop, learned_from=suppliers)
    assert [o.to_dict() for o in again] == [o.to_dict() for o in found.values()]
    # Beside another fit of the supplier index its rows mean nothing: the text stands in.
    refitted = MatchIndex.build(register)
    other = index.for_supplier(meals_coop, learned_from=refitted)
    assert all("keywords" not in o.components for o in other)
    assert all("keywords" not in o.components for o in index.for_supplier(meals_coop))


def test_where_a_supplier_has_worked_counts_towards_geography(school_meals):
    from coopmatch.matching import PastAward, SupplierProfile

    from .conftest import PRESTON

    leeds_job = TenderQuery(
        id=500, title="School meals", description="Hot lunches for schools", **LEEDS
    )
    index = OpportunityIndex.build([school_meals, leeds_job])
    near_preston = {"latitude": PRESTON["latitude"] + 0.05, "longitude": PRESTON["longitude"]}
    unplaced = SupplierProfile(
        id=8,
        name="Roaming Meals",
        text="School meals and hot lunches",
        awards=[PastAward("School dinners", buyer_name="Preston College", **near_preston)],
    )
    found = {o.tender_id: o for o in index.for_supplier(unplaced)}
    said = next(r for r in found[100].reasons if r.kind == "geography")
    assert said.text == (
        "Where it is based is unknown. It has delivered a contract 6 km from here "
        "(for Preston College)."
    )
    assert said.data["worked_km"] == pytest.approx(5.6, abs=0.1)
    # Near where it has worked scores above the unknown, far from it (Leeds is 75 km) below.
    assert found[100].components["geography"] > 0.5 > found[500].components["geography"]
    never = SupplierProfile(id=9, name="Nowhere Meals", text="School meals and hot lunches")
    assert all("geography" not in o.components for o in index.for_supplier(never))


def test_a_new_supplier_is_judged_capable_on_what_it_states(school_meals):
    from .conftest import supplier

    index = OpportunityIndex.build([school_meals])
    text = "School meals, hot lunches and catering for primary schools."
    new = supplier(9, "New Dinners Co-op", text, cpv_codes=["55524000"])
    found = index.for_supplier(new)[0]
    c = found.components
    # Its stated fit stands in for the record it has not got, in the score as in capability.
    assert c["track_record"] > 0
    assert c["track_record"] == pytest.approx(min(c["text"], c["cpv"]), abs=1e-6)
    assert c["similar_work"] == pytest.approx(min(c["work_text"], c["cpv"]), abs=1e-6)
    assert found.capability == pytest.approx(
        (0.45 * c["work_text"] + 0.15 * c["cpv"] + 0.25 * c["similar_work"]) / 0.85, abs=1e-5
    )
    assert found.capable
    uncoded = index.for_supplier(supplier(10, "Newer Dinners", text))[0]
    assert uncoded.components["track_record"] == 0 and uncoded.score < found.score


def test_a_contract_sharing_only_a_place_name_is_not_similar_work():
    from coopmatch.geo import PlaceWords
    from coopmatch.matching import PastAward

    from .conftest import supplier

    tender = TenderQuery(id=1, title="School meals in Preston", description="Hot meals")
    index = OpportunityIndex.build([tender])
    index.hidden_terms = PlaceWords(always=frozenset({"preston", "blackburn"}))
    vans = supplier(1, "Van Dealer Ltd", "Vans", awards=[PastAward("Preston refuse vehicles")])
    cooks = supplier(2, "Cooks Ltd", "Catering", awards=[PastAward("Hot meals for Blackburn")])

    def similar(profile):
        (found,) = index.for_supplier(profile)
        return [r.text for r in found.reasons if r.text.startswith("Has delivered similar")]

    assert similar(vans) == []
    assert similar(cooks) == ["Has delivered similar work: 'Hot meals for Blackburn'."]
    # Nor is it evidence, in capability's text, that the van dealer can cook.
    (van_meals,), (cook_meals,) = index.for_supplier(vans), index.for_supplier(cooks)
    assert van_meals.components["work_text"] < van_meals.components["text"]
    assert van_meals.capability < cook_meals.capability


def test_a_statement_in_the_plural_finds_a_tender_in_the_singular():
    from .conftest import supplier

    cafe = TenderQuery(id=1, title="Café at the leisure centre", description="Run the café.")
    vans = TenderQuery(id=2, title="Van hire", description="Vans for the depot.")
    index = OpportunityIndex.build([cafe, vans])
    found = index.for_supplier(supplier(1, "Brew Co-op", "We run community cafés."))
    assert found[0].tender_id == 1
    terms = next(r for r in found[0].reasons if r.kind == "text").data["terms"]
    assert "cafe" in terms


def test_another_trades_contract_is_not_cited_as_similar_work():
    from coopmatch.matching import PastAward

    from .conftest import supplier

    cafe = TenderQuery(
        id=1, title="Hospital cafe", description="Hot food and drinks", cpv_codes=["55330000"]
    )
    index = OpportunityIndex.build([cafe])
    waste = PastAward("Food waste vehicles", "Six food waste vehicles", cpv_codes=["34144510"])
    meals = PastAward("Hot food for care homes", "Meals and hot food", cpv_codes=["55321000"])

    def similar(profile):
        (found,) = index.for_supplier(profile)
        return [r.text for r in found.reasons if r.text.startswith("Has delivered similar")]

    assert similar(supplier(1, "Trucks Ltd", "Vehicles", awards=[waste])) == []
    assert similar(supplier(2, "Cooks Ltd", "Catering", awards=[meals])) == [
        "Has delivered similar work: 'Hot food for care homes'."
    ]


def test_a_capable_supplier_too_small_for_a_tender_is_flagged_in_plain_json(register, school_meals):
    import dataclasses
    import json

    small = dataclasses.replace(register[0], capacity_gbp=50_000)
    (meals,) = OpportunityIndex.build([school_meals]).for_supplier(small)
    assert meals.capable_but_too_small is True
    assert json.loads(json.dumps(meals.to_dict()))["capable_but_too_small"] is True


def test_opportunities_rescored_as_buyers_see_them(register, school_meals, grounds_with_lots):
    from coopmatch.matching import MatchIndex, MatchOptions
    from coopmatch.matching.opportunities import as_buyers_see_them

    suppliers = MatchIndex.build(register)
    tenders = {t.id: t for t in (school_meals, grounds_with_lots)}
    index = OpportunityIndex.build(list(tenders.values()), learned_from=suppliers)
    hedges = register[4]
    found = index.for_supplier(hedges, learned_from=suppliers)
    rescored = as_buyers_see_them(found, tenders, suppliers.restrict([hedges.id]))

    # Each opportunity carries the score, lot and reasons the tender's page gives the pair.
    assert {o.tender_id for o in rescored} == set(tenders)
    for opportunity in rescored:
        (seen,) = [
            m
            for m in suppliers.match(tenders[opportunity.tender_id], MatchOptions(top_k=10))
            if m.supplier_id == hedges.id
        ]
        assert opportunity.score == seen.score
        assert opportunity.lot_id == seen.lot_id
        assert [r.text for r in opportunity.reasons] == [r.text for r in seen.reasons]
    assert [o.score for o in rescored] == sorted((o.score for o in rescored), reverse=True)
    assert rescored[0].tender_id == 200 and rescored[0].lot_id == 202

    # Tenders it is given no query for keep the opportunity index's own figures.
    assert as_buyers_see_them(found, {}, suppliers.restrict([hedges.id])) == found
    with pytest.raises(ValueError, match="one supplier"):
        as_buyers_see_them(found, tenders, suppliers)


def test_work_for_the_buyer_lifts_only_its_own_kind_of_tender():
    """As on the tender pages: a van dealer that sells to the council is not lifted on the
    council's school meals, which share only the place name with its vans."""
    import dataclasses

    from coopmatch.geo import PlaceWords
    from coopmatch.matching import PastAward

    from .conftest import supplier

    council = {"buyer_id": 3, "buyer_name": "Preston City Council"}
    vans = supplier(1, "Van Dealer Ltd", "", awards=[
        PastAward("Preston refuse vehicles", cpv_codes=["34144510"], **council),
        PastAward("Preston council vans", cpv_codes=["34136000"], **council)])
    meals = TenderQuery(id=9, title="School meals in Preston", description="Hot meals.",
                        cpv_codes=["55523100"], **council)
    fleet = TenderQuery(id=10, title="Refuse vehicles for Preston",
                        description="Vans and refuse vehicles.", cpv_codes=["34144510"],
                        **council)

    def records(tenders):
        index = OpportunityIndex.build(tenders)
        index.hidden_terms = PlaceWords(always=frozenset({"preston"}))
        return {o.tender_id: o.components["track_record"] for o in index.for_supplier(vans)}

    here = records([meals, fleet])
    elsewhere = records([dataclasses.replace(t, buyer_id=None, buyer_name="")
                         for t in (meals, fleet)])
    assert here[9] == pytest.approx(elsewhere[9], abs=1e-6)
    assert here[10] == pytest.approx(elsewhere[10] + 0.25, abs=1e-5)


def test_an_update_adds_replaces_and_drops_tenders_without_refitting(
    register, school_meals, grounds_with_lots, tmp_path
):
    from coopmatch.matching import MatchIndex

    suppliers = MatchIndex.build(register)
    plumbing = TenderQuery(id=400, title="Plumbing repairs", description="Boilers and leaks")
    # An earlier tender for the same kind of work: its words are in the fitted vocabulary.
    lunches = TenderQuery(id=401, title="Catering services for primary schools in Preston",
                          description="Provision of hot school meals and lunches.")
    index = OpportunityIndex.build([plumbing, grounds_with_lots, lunches],
                                   learned_from=suppliers)
    fitted = index.text.fit_id
    meals_coop, hedges = register[0], register[4]

    def listed(profile):
        found = index.for_supplier(profile, learned_from=suppliers)
        return [(o.tender_id, o.lot_id) for o in found]

    assert 100 not in [t for t, _ in listed(meals_coop)]
    index.update([school_meals], learned_from=suppliers)  # posted
    assert index.text.fit_id == fitted and index.appended == 1 and index.unseen == 0
    found = {o.tender_id: o for o in index.for_supplier(meals_coop, learned_from=suppliers)}
    assert found[100].components["keywords"] > 0.3  # read as the supplier index reads it
    assert {r.kind for r in found[100].reasons} >= {"text", "cpv", "geography"}
    assert found[100].score > found[401].score  # it also has the CPV code and the buyer
    fresh = OpportunityIndex.build([plumbing, grounds_with_lots, lunches, school_meals],
                                   learned_from=suppliers)
    assert listed(meals_coop)[0] == (100, None) == (
        fresh.for_supplier(meals_coop, learned_from=suppliers)[0].tender_id, None)

    # Edited: its lots are replaced, not doubled; closed: gone, lots and all.
    assert listed(hedges)[0] == (200, 202)
    grounds_with_lots.lots = grounds_with_lots.lots[:1]
    index.update([grounds_with_lots], learned_from=suppliers)
    assert sum(1 for r in index.rows if r[0] == 200) == 2
    index.update([], removed_ids=[200], learned_from=suppliers)
    assert 200 not in [t for t, _ in listed(hedges)]
    assert index.size == 3 and index.needs_rebuild  # 3 changes against 3 tenders

    index.save(tmp_path / "open")
    loaded = OpportunityIndex.load(tmp_path / "open")
    assert (loaded.appended, loaded.removed) == (index.appended, index.removed)
    assert [o.to_dict() for o in loaded.for_supplier(meals_coop, learned_from=suppliers)] == [
        o.to_dict() for o in index.for_supplier(meals_coop, learned_from=suppliers)
    ]
    # Tenders read with another fit of the supplier index cannot be mixed with these.
    with pytest.raises(ValueError, match="rebuild"):
        index.update([plumbing], learned_from=MatchIndex.build(register))


def test_a_tender_in_words_the_fit_has_not_seen_calls_for_a_refit(school_meals):
    plumbing = TenderQuery(id=400, title="Plumbing repairs", description="Boilers and leaks")
    index = OpportunityIndex.build([plumbing])
    index.update([school_meals])
    assert index.unseen == 1 and index.needs_rebuild


def test_a_pair_of_words_the_statement_does_not_write_is_not_shown_as_a_phrase():
    from .conftest import supplier

    said = "Office cleaners to complement in-house teams."
    index = OpportunityIndex.build([TenderQuery(id=1, title="Office cleaners", description=said)])
    found = index.for_supplier(supplier(1, "Shine Co-op", said))
    terms = next(r for r in found[0].reasons if r.kind == "text").data["terms"]
    assert "office cleaners" in terms
    assert not [t for t in terms if t in ("complement house", "cleaners complement")]


def test_a_joined_word_is_shown_as_the_statement_writes_it():
    from .conftest import supplier

    said = "In-house cleaning teams and co-op cafe staff."
    index = OpportunityIndex.build(
        [TenderQuery(id=1, title="Co-op cafe", description="In-house cleaning.")])
    terms = next(r for r in index.for_supplier(supplier(1, "Shine", said))[0].reasons
                 if r.kind == "text").data["terms"]
    assert {"co-op cafe", "in-house cleaning"} <= set(terms)


def test_a_supplier_known_by_sic_codes_alone_sees_tenders_of_its_sector(school_meals):
    # The supplier index's SIC fit, from the supplier's side: a cafe co-op with SIC 56102 and
    # no CPV code fits the catering tender by its sector (signals.SIC_FIT), not the cleaning one.
    from coopmatch.matching.signals import SIC_FIT, UNKNOWN

    from .conftest import PRESTON, supplier

    cleaning = TenderQuery(id=2, title="Cleaning of offices", description="Hot water cleaning",
                           cpv_codes=["90910000"], value=150_000, **PRESTON)
    index = OpportunityIndex.build([school_meals, cleaning])
    index.sic_bridge = {"55000000": ["55", "56"], "90000000": ["37", "38", "39"]}
    cafe = supplier(9, "Canal Co-op", "Community cafe: hot lunches", sic_codes=["56102"])
    found = {o.tender_id: o for o in index.for_supplier(cafe)}
    meals = found[school_meals.id]
    assert meals.components["cpv"] == pytest.approx(SIC_FIT)
    assert meals.components["track_record"] == pytest.approx(
        min(meals.components["text"], SIC_FIT), abs=1e-6)
    assert [r.data["sic_code"] for r in meals.reasons if r.kind == "sic"] == ["56102"]
    assert found[2].components["cpv"] == pytest.approx(UNKNOWN["cpv"])
    assert found[2].components["track_record"] == 0
    assert not any(r.kind == "sic" for r in found[2].reasons)
    # The same supplier without its SIC code: CPV unknown on both.
    plain = {o.tender_id: o for o in index.for_supplier(supplier(9, "Canal Co-op",
                                                                  "Community cafe: hot lunches"))}
    assert plain[school_meals.id].components["cpv"] == pytest.approx(UNKNOWN["cpv"])
    assert plain[school_meals.id].score < meals.score


def test_the_word_a_cpv_description_is_about():
    from coopmatch.matching.reasons import division_words, head_word, one_word_of_other_work

    assert head_word("School cleaning services") == "cleaning"
    assert head_word("Car-washing and similar services") == "washing"
    assert head_word("Public road transport services") == "transport"
    describe = {"60112000": "Public road transport services",
                "55523100": "School-meal services", "90919300": "School cleaning services"}
    assert "school" in division_words(describe)["55"] and "school" not in division_words(
        describe)["60"]
    school = [("school", 1.0)]
    assert one_word_of_other_work(school, ["60112000"], ["90919300"], describe)
    assert not one_word_of_other_work(school, ["55523100"], ["90919300"], describe)
    assert not one_word_of_other_work([("schools", 1.0)], ["55523100"], ["90919300"], describe)
    assert not one_word_of_other_work([("cleaning", 1.0)], ["60112000"], ["90919300"], describe)
    # A phrase, two terms, or no vocabulary: always a sign.
    assert not one_word_of_other_work([("school bus", 1.0)], ["60112000"], ["90919300"],
                                      describe)
    assert not one_word_of_other_work(school + [("pupils", 0.5)], ["60112000"], ["90919300"],
                                      describe)
    assert not one_word_of_other_work(school, ["60112000"], ["90919300"], {})
