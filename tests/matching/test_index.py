"""Tender -> suppliers: ranking, reasons, lots, filters, preferences and persistence."""

import dataclasses
import math

import pytest

from coopmatch.matching import (
    LotQuery,
    MatchIndex,
    MatchOptions,
    PastAward,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.matching.persist import IndexFormatError
from coopmatch.matching.signals import SIC_FIT, UNKNOWN
from coopmatch.matching.types import fit_label

from .conftest import LEEDS, PRESTON, supplier


@pytest.fixture
def index(register) -> MatchIndex:
    return MatchIndex.build(register)


def ids(matches) -> list[int]:
    return [m.supplier_id for m in matches]


def test_the_right_supplier_comes_first(index, school_meals):
    matches = index.match(school_meals)
    assert matches[0].supplier_id == 1
    assert matches[0].score > 0.7
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_a_far_supplier_ranks_below_a_near_one_with_the_same_text(index, school_meals):
    # Suppliers 1 (Preston) and 4 (Leeds) have the same capability text; 1 also has history,
    # so compare on a tender from a buyer neither has worked for.
    tender = dataclasses.replace(school_meals, buyer_id=None)
    order = ids(index.match(tender))
    assert order.index(1) < order.index(4)
    near, far = (m for m in index.match(tender) if m.supplier_id in (1, 4))
    assert near.components["geography"] > far.components["geography"]
    assert near.distance_km < 1 < 50 < far.distance_km


def test_distance_alone_orders_identical_suppliers():
    text = "Window cleaning for offices and schools."
    register = [
        supplier(1, "Far Windows", text, place=LEEDS),
        supplier(2, "Near Windows", text, place=PRESTON),
    ]
    tender = TenderQuery(id=1, title="Window cleaning", description="Offices", **PRESTON)
    assert ids(MatchIndex.build(register).match(tender)) == [2, 1]


def test_a_lot_is_matched_to_a_small_supplier_that_cannot_take_the_whole(index, grounds_with_lots):
    matches = {m.supplier_id: m for m in index.match(grounds_with_lots)}
    small = matches[5]
    assert small.lot_id == 202
    assert small.components["capacity"] == 1.0
    kinds = [r.kind for r in small.reasons]
    assert kinds[0] == "lot"
    assert "too big" in small.reasons[0].text
    assert small.reasons[0].data["lot_id"] == 202


def test_without_lots_the_small_supplier_is_flagged_too_small(index, grounds_with_lots):
    tender = dataclasses.replace(grounds_with_lots, lots=[])
    small = next(m for m in index.match(tender) if m.supplier_id == 5)
    assert small.lot_id is None
    assert small.components["capacity"] < 0.1
    assert small.capable_but_too_small
    capacity = next(r for r in small.reasons if r.kind == "capacity")
    assert capacity.data["fits"] is False


def test_every_match_carries_structured_reasons(index, school_meals):
    best = index.match(school_meals)[0]
    kinds = {r.kind for r in best.reasons}
    assert {"text", "cpv", "track_record", "buyer", "geography", "capacity"} <= kinds
    text = next(r for r in best.reasons if r.kind == "text")
    assert "school meals" in text.data["terms"]
    cpv = next(r for r in best.reasons if r.kind == "cpv")
    assert cpv.data["supplier_code"] == "55524000"
    geography = next(r for r in best.reasons if r.kind == "geography")
    assert geography.data["tier"] == "local_authority"
    for reason in best.reasons:
        assert reason.text.endswith(".")
        assert set(reason.to_dict()) == {"kind", "text", "data"}
    assert set(best.components) >= {"text", "cpv", "geography", "capacity", "track_record"}
    assert best.to_dict()["reasons"][0]["kind"] == best.reasons[0].kind


def test_ownership_preference_changes_the_order():
    text = "Office cleaning and window cleaning."
    register = [
        supplier(1, "Sparkle Cleaning Ltd", text, ownership="sme"),
        supplier(
            2,
            "Clean Co-operative",
            "Window cleaning and office cleaning services.",  # a little less close
            ownership="worker_coop",
        ),
    ]
    index = MatchIndex.build(register)
    tender = TenderQuery(id=1, title="Office cleaning", description="Daily office cleaning")
    plain = ids(index.match(tender))
    preferred = index.match(tender, MatchOptions(prefer_social=True))
    assert plain[0] == 1
    assert ids(preferred)[0] == 2
    assert any(r.kind == "ownership" and r.data["preferred"] for r in preferred[0].reasons)
    assert "ownership" in preferred[0].components


def test_ownership_filter_keeps_only_the_chosen_models(index, school_meals):
    matches = index.match(school_meals, MatchOptions(ownership={"worker_coop"}))
    assert set(ids(matches)) == {1, 5}


def test_an_ownership_model_can_be_left_out(register, school_meals):
    council = supplier(7, "Preston City Council Catering", register[0].text,
                       ownership="public_body", capacity_gbp=400_000, cpv_codes=["55524000"])
    index = MatchIndex.build([*register, council])
    found = {m.supplier_id: m for m in index.match(school_meals)}
    # It says what it is, so that an officer looking for firms knows to leave it out.
    assert [r.text for r in found[7].reasons if r.kind == "ownership"] == [
        "It is a public body, not a business."]
    assert not [r for r in found[4].reasons if r.kind == "ownership"]  # an SME: nothing said
    without = ids(index.match(school_meals, MatchOptions(exclude_ownership={"public_body"})))
    assert 7 not in without and {1, 4} <= set(without)
    # With a choice of models, one left out is left out of the choice.
    chosen = index.match(school_meals, MatchOptions(ownership={"worker_coop", "public_body"},
                                                    exclude_ownership={"public_body"}))
    assert set(ids(chosen)) == {1, 5}


def test_local_only_excludes_suppliers_outside_the_area(index, school_meals):
    area = {PRESTON["lad_code"]}
    matches = index.match(school_meals, MatchOptions(area_lad_codes=area))
    assert set(ids(matches)) == {1, 2, 6}
    assert 4 not in ids(matches)


def test_radius_filter(index, school_meals):
    matches = index.match(school_meals, MatchOptions(radius_km=20))
    assert set(ids(matches)) == {1, 2, 5, 6}
    assert all(m.distance_km <= 20 for m in matches)


def test_top_k_and_exclusions(index, school_meals):
    assert len(index.match(school_meals, MatchOptions(top_k=2))) == 2
    assert 1 not in ids(index.match(school_meals, MatchOptions(exclude_ids={1})))


def test_save_and_load_give_identical_results(tmp_path, index, school_meals, grounds_with_lots):
    index.save(tmp_path / "suppliers")
    loaded = MatchIndex.load(tmp_path / "suppliers")
    for tender in (school_meals, grounds_with_lots):
        assert [m.to_dict() for m in loaded.match(tender)] == [
            m.to_dict() for m in index.match(tender)
        ]
    # Saving again over the same path replaces it.
    loaded.save(tmp_path / "suppliers")
    assert MatchIndex.load(tmp_path / "suppliers").size == index.size


def test_loading_something_else_is_refused(tmp_path):
    with pytest.raises(IndexFormatError):
        MatchIndex.load(tmp_path / "missing")


def test_match_many_agrees_with_match(index, school_meals, grounds_with_lots):
    many = index.match_many([school_meals, grounds_with_lots] * 20)
    assert len(many) == 40
    assert [m.to_dict() for m in many[1]] == [m.to_dict() for m in index.match(grounds_with_lots)]
    assert [m.to_dict() for m in many[38]] == [m.to_dict() for m in index.match(school_meals)]


def test_incremental_update_adds_replaces_and_removes(index, school_meals):
    newcomer = supplier(
        7,
        "Preston School Kitchens CIC",
        "School meals and catering for primary schools; hot lunches cooked fresh.",
        ownership="social_enterprise",
        capacity_gbp=500_000,
        cpv_codes=["55524000"],
        awards=[PastAward("Primary school meals", buyer_id=7)],
    )
    index.update([newcomer], removed_ids=[4])
    found = ids(index.match(school_meals))
    assert 7 in found[:2]
    assert 4 not in found
    changed = dataclasses.replace(
        newcomer, name="Preston Print CIC", text="Printing", awards=[], cpv_codes=["79800000"]
    )
    index.update([changed])
    assert index.size == 6
    again = {m.supplier_id: m for m in index.match(school_meals)}
    assert again[7].supplier_name == "Preston Print CIC"
    assert again[7].components["text"] < 0.5
    assert again[7].score < again[1].score


def test_weights_come_from_the_caller(register, school_meals):
    others = ("keywords", "cpv", "geography", "capacity", "track_record", "ownership")
    text_only = MatchIndex.build(register, {k: 0.0 for k in (*others, "association")})
    best = text_only.match(school_meals)[0]
    assert best.score == pytest.approx(best.components["text"], abs=1e-6)
    keywords_only = MatchIndex.build(
        register, {k: 0.0 for k in ("text", *others[1:], "association")}
    )
    first = keywords_only.match(school_meals)[0]
    assert first.score == pytest.approx(first.components["keywords"]) and 0 < first.score <= 1
    # Capability keeps its own proportions whatever the ranking weights.
    assert best.capability == pytest.approx(
        MatchIndex.build(register).match(school_meals)[0].capability
    )
    with pytest.raises(ValueError):
        MatchIndex.build(register, {"colour": 1.0})


def test_unknown_values_do_not_break_matching():
    register = [
        SupplierProfile(id=1, name="Nameless"),
        SupplierProfile(id=2, name="Acme Roofing", text="Roof repairs"),
    ]
    index = MatchIndex.build(register)
    matches = index.match(TenderQuery(id=1, title="Roof repairs to a library"))
    assert ids(matches)[0] == 2
    assert matches[0].distance_km is None
    assert index.match(TenderQuery(id=2, title="")) is not None


def test_an_empty_register_matches_nothing_until_suppliers_arrive():
    index = MatchIndex.build([])
    tender = TenderQuery(id=1, title="Roof repairs")
    assert index.match(tender) == []
    index.update([SupplierProfile(id=5, name="Roofers", text="Roof repairs and gutters")])
    assert ids(index.match(tender)) == [5]


def test_a_restricted_view_scores_exactly_as_the_whole_index(
    index, school_meals, grounds_with_lots
):
    view = index.restrict([1, 2, 5, 99])
    assert sorted(view.ids.tolist()) == [1, 2, 5]
    for tender in (school_meals, grounds_with_lots):
        whole = [m.to_dict() for m in index.match(tender) if m.supplier_id in (1, 2, 5)]
        assert [m.to_dict() for m in view.match(tender)] == whole
    with pytest.raises(ValueError):
        view.update([])


def test_an_area_filter_goes_through_a_cached_view_with_the_same_results(index, school_meals):
    area = MatchOptions(area_lad_codes={PRESTON["lad_code"]})
    first = [m.to_dict() for m in index.match(school_meals, area)]
    assert len(index._views) == 1
    view = next(iter(index._views.values()))
    assert view is not index and view.size == 3
    expected = [
        m.to_dict()
        for m in index.match(school_meals, MatchOptions(top_k=100))
        if m.supplier_id in {1, 2, 6}
    ]
    assert first == expected
    assert [m.to_dict() for m in index.match(school_meals, area)] == first
    # An update makes the cached views stale: they are dropped.
    index.update([supplier(9, "Preston Dinners", "School meals and hot lunches.")])
    assert not index._views
    assert 9 in ids(index.match(school_meals, area))


def test_matches_without_explanations_keep_their_figures(index, school_meals, grounds_with_lots):
    for tender in (school_meals, dataclasses.replace(grounds_with_lots, lots=[])):
        full = index.match(tender)
        bare = index.match(tender, MatchOptions(explain=False))
        assert ids(bare) == ids(full)
        for a, b in zip(full, bare, strict=True):
            assert b.reasons == []
            assert (b.score, b.capability, b.capable_but_too_small) == (
                a.score,
                a.capability,
                a.capable_but_too_small,
            )
            assert b.components == a.components
            assert b.distance_km == a.distance_km


def test_without_explanations_reasons_can_still_be_asked_for_some(index, school_meals):
    full = index.match(school_meals)
    best = full[0].supplier_id
    some = index.match(school_meals, MatchOptions(
        explain=False, explain_if=lambda m: m.supplier_id == best))
    assert ids(some) == ids(full)
    assert [m.to_dict() for m in some[:1]] == [full[0].to_dict()]  # as if fully explained
    assert some[0].reasons and all(m.reasons == [] for m in some[1:])
    assert [(m.score, m.capability) for m in some] == [(m.score, m.capability) for m in full]


@pytest.mark.parametrize(
    ("capacity", "fits", "score"),
    [(150_000, True, 1.0), (200_000, True, 1.0), (120_000, False, 0.8)],
)
def test_capacity_is_the_largest_contract_a_supplier_can_take(capacity, fits, score):
    # The turnover test is applied when capacity is set: the engine does not halve it again.
    text = "School meals and hot lunches for primary schools."
    index = MatchIndex.build([supplier(1, "Dinners Co-op", text, capacity_gbp=capacity)])
    tender = TenderQuery(id=1, title="School meals", description="Hot lunches", value=150_000)
    match = index.match(tender)[0]
    assert match.components["capacity"] == pytest.approx(score)
    reason = next(r for r in match.reasons if r.kind == "capacity")
    assert reason.data["fits"] is fits
    assert reason.text.startswith("Big enough" if fits else "May be too small")
    assert "£150,000" in reason.text
    assert match.capable_but_too_small is (not fits and match.capability >= 0.4)


def test_without_a_stated_capacity_the_largest_contract_won_sizes_a_supplier(tmp_path):
    text = "School meals and hot lunches for primary schools."
    meals = [PastAward("School meals", value_gbp=40_000), PastAward("Lunches", value_gbp=90_000)]
    small = supplier(1, "Small Dinners Co-op", text, awards=meals)
    unknown = supplier(2, "New Dinners Co-op", text)
    stated = supplier(3, "Big Dinners Co-op", text, capacity_gbp=50_000, awards=meals)
    index = MatchIndex.build([small, unknown, stated])
    tender = TenderQuery(id=1, title="School meals", description="Hot lunches", value=150_000)
    by_id = {m.supplier_id: m for m in index.match(tender)}
    assert by_id[1].components["capacity"] == pytest.approx(0.6)  # £90,000 of £150,000
    assert by_id[2].components["capacity"] == pytest.approx(0.5)  # unknown
    assert by_id[3].components["capacity"] == pytest.approx(50_000 / 150_000)  # stated wins
    reason = next(r for r in by_id[1].reasons if r.kind == "capacity")
    assert reason.text == (
        "Its largest contract so far is £90,000, under the £150,000 value (it states no capacity)."
    )
    assert reason.data["largest_won_gbp"] == 90_000 and reason.data["fits"] is False
    # A contract won is evidence of size, not a stated limit: gap reports do not call it small.
    assert by_id[1].capable_but_too_small is False
    assert by_id[3].capable_but_too_small is True
    smaller = index.match(TenderQuery(id=2, title="School meals", value=60_000))
    small_match = next(m for m in smaller if m.supplier_id == 1)
    fits = next(r for r in small_match.reasons if r.kind == "capacity")
    assert fits.text.startswith("Big enough: it has won contracts of up to £90,000")
    index.save(tmp_path / "index")
    again = {m.supplier_id: m for m in MatchIndex.load(tmp_path / "index").match(tender)}
    assert again[1].components == by_id[1].components


def test_an_area_without_suppliers_matches_nobody(index, school_meals):
    assert index.match(school_meals, MatchOptions(area_lad_codes={"E06000001"})) == []
    assert index.restrict([]).match(school_meals) == []


def test_an_awarded_notice_shows_its_winner_as_such_not_as_past_evidence(tmp_path):
    council = {"buyer_id": 9, "buyer_name": "Preston Council"}
    roofer = SupplierProfile(
        id=1,
        name="Ribble Roofing Co-op",
        awards=[
            PastAward("Library roof repairs", tender_id=42, **council),
            PastAward("School roof repairs", tender_id=7, **council),
        ],
    )
    index = MatchIndex.build([roofer, SupplierProfile(id=2, name="Acme", text="Roof repairs")])
    index.save(tmp_path / "index")
    notice = TenderQuery(id=42, title="Library roof repairs", buyer_id=9)
    for each in (index, MatchIndex.load(tmp_path / "index"), index.restrict([1])):
        reasons = [r.text for r in each.match(notice)[0].reasons]
        assert "Won this tender." in reasons
        assert "Has delivered similar work: 'School roof repairs' for Preston Council." in reasons
        assert "Has won 1 contract from this buyer before." in reasons
    # Another notice sees both contracts as evidence.
    other = index.match(TenderQuery(id=43, title="Library roof repairs", buyer_id=9))[0]
    texts = [r.text for r in other.reasons]
    assert "Won this tender." not in texts
    assert "Has delivered similar work: 'Library roof repairs' for Preston Council." in texts
    assert "Has won 2 contracts from this buyer before." in texts


def test_the_place_of_a_notice_s_own_contract_is_not_where_its_winner_has_worked():
    here = {"latitude": PRESTON["latitude"], "longitude": PRESTON["longitude"]}
    leeds = {"latitude": LEEDS["latitude"], "longitude": LEEDS["longitude"]}
    roofer = SupplierProfile(
        id=1,
        name="Ribble Roofing Co-op",
        awards=[
            PastAward("Library roof repairs", tender_id=42, buyer_name="Preston Council", **here),
            PastAward("School roof repairs", tender_id=7, buyer_name="Leeds Council", **leeds),
        ],
    )
    index = MatchIndex.build([roofer, SupplierProfile(id=2, name="Acme", text="Roof repairs")])

    def geography(notice_id):
        notice = TenderQuery(id=notice_id, title="Library roof repairs", **PRESTON)
        found = next(m for m in index.match(notice) if m.supplier_id == 1)
        return next(r for r in found.reasons if r.kind == "geography")

    assert geography(42).data["worked_km"] > 50  # Leeds, not this notice's own contract
    assert "delivered a contract" not in geography(42).text
    assert geography(43).data["worked_km"] == 0.0
    assert geography(43).text == (
        "Where it is based is unknown. It has delivered a contract under 1 km from here "
        "(for Preston Council)."
    )


@pytest.mark.parametrize(
    ("title", "description", "framework"),
    [
        ("Provision of Passenger Transport Services - Dynamic Purchasing System", "", True),
        ("LPS CARE - Pseudo DPS for Childrens Home Services", "", True),
        ("Highways Framework 2024", "", True),
        ("Minor works", "Suppliers will be appointed to a framework agreement of 4 years.", True),
        ("Vehicle charging", "Our members buy through dynamic purchasing systems.", True),
        # A description the source cut short (Contracts Finder's, at about 500 characters).
        ("LPS CAS - Local Bus Services", "It is the Authority's intention to operate a "
                                         "dynamic purchasing s", True),
        ("School meals", "Hot lunches; our framework for quality is attached.", False),
        ("Office cleaning", "", False),
        # A contract let from a framework or DPS: its value is that contract's.
        ("Crawley Council Further Competition for Insurance Placement DPS 978", "", False),
        ("DPS Call Off (YPO 881) - Provision of Tree Pit Design", "", False),
        ("Materials Supply Contract Via NEPO219 DPS", "", False),
        ("Leyland Leisure Centre Refurbishment Works",
         "This tender was awarded via the Rise Construction Framework.", False),
        ("Public wifi hardware", "Call off from CCS framework RM 6068", False),
        ("35998 - Fosse Primary School", "It has been awarded following a mini competition "
                                         "under the council's dynamic purchasing system.", False),
        # ... but a framework's own notice says how contracts will be let from it.
        ("Carriageway Surfacing Framework 2020",
         "The works awarded under this framework will vary; call-off contracts will be let "
         "following mini competitions.", True),
        ("Asbestos Management", "A framework agreement for member organisations to call off "
                                "from.", True),
    ],
)
def test_frameworks_and_dynamic_purchasing_systems_are_recognised(title, description, framework):
    from coopmatch.matching.signals import looks_like_framework

    assert looks_like_framework(title, description) is framework


@pytest.mark.parametrize(
    ("title", "description", "dps"),
    [
        ("Provision of Passenger Transport Services - Dynamic Purchasing System", "", True),
        ("LPS CAS - Local Bus Services", "It is the Authority's intention to operate a "
                                         "dynamic purchasing s", True),
        ("Door entry contractor", "For the in-house repairs service DPS.", True),
        ("Highways Framework 2024", "", False),
        ("Further Competition under DPS 00978 for Insurance Placement", "", False),
        ("Torus Developments - Build 26 New Units",
         "This contract is awarded through Procurement Hub's Development Contractors DPS.", False),
    ],
)
def test_dynamic_purchasing_systems_that_firms_may_join_are_told_from_contracts_let_on_them(
    title, description, dps
):
    from coopmatch.matching.signals import how_bought, looks_like_framework

    assert how_bought(title, description)[1] is dps
    if dps:
        assert looks_like_framework(title, description)


@pytest.mark.parametrize(
    ("title", "arrangement", "expected"),
    [
        # Stated by the buyer or the notice's source, it decides over the words.
        ("Bus routes 2027", "dps", (True, True)),
        ("Bus routes 2027", "framework", (True, False)),
        ("Passenger Transport Dynamic Purchasing System", "call_off", (False, False)),
        ("Highways Framework 2024", "contract", (False, False)),
        # Not stated: the words decide, as before.
        ("Passenger Transport Dynamic Purchasing System", "", (True, True)),
        ("Highways Framework 2024", "", (True, False)),
        ("Bus routes 2027", "", (False, False)),
    ],
)
def test_how_a_tender_is_let_as_stated_decides_over_its_words(title, arrangement, expected):
    from coopmatch.matching.signals import how_bought, looks_like_framework

    assert how_bought(title, "", arrangement) == expected
    assert (looks_like_framework(title, "", arrangement),
            how_bought(title, "", arrangement)[1]) == expected


def test_on_a_dynamic_purchasing_system_size_is_not_weighed():
    text = "Local bus services and school bus routes across Lancashire."
    small = supplier(1, "Deepdale Coaches", text, capacity_gbp=300_000)
    big = supplier(2, "National Buses plc", text, capacity_gbp=500_000_000)
    index = MatchIndex.build([small, big])
    framework = TenderQuery(id=1, title="Local bus services", description="Bus routes",
                            value=140_000_000, framework=True)
    dps = dataclasses.replace(framework, id=2, framework=False, dps=True)
    on_framework = {m.supplier_id: m for m in index.match(framework)}
    on_dps = {m.supplier_id: m for m in index.match(dps)}
    # On a framework the big firm leads on size; on a DPS the two are level (but for the
    # few characters their names add to their text).
    assert on_framework[2].score - on_framework[1].score > 0.05
    assert abs(on_dps[1].score - on_dps[2].score) < 0.005
    assert on_dps[1].capable_but_too_small is False
    reason = next(r for r in on_dps[1].reasons if r.kind == "capacity")
    assert reason.text == (
        "A dynamic purchasing system, which firms of any size may join while it runs: its "
        "£140 million is a ceiling shared by its suppliers, so size is not weighed. This "
        "supplier can take contracts of up to £300,000."
    )
    assert reason.data["dps"] is True and reason.data["fits"] is None


def test_on_a_framework_the_value_is_a_shared_ceiling_not_a_size_test():
    text = "School meals and hot lunches for primary schools."
    small = supplier(1, "Dinners Co-op", text, capacity_gbp=200_000)
    index = MatchIndex.build([small])
    contract = TenderQuery(id=1, title="School meals", description="Hot lunches", value=5_000_000)
    framework = dataclasses.replace(contract, id=2, framework=True)
    as_contract, on_framework = index.match(contract)[0], index.match(framework)[0]
    assert as_contract.capable_but_too_small is True
    assert on_framework.capable_but_too_small is False
    reason = next(r for r in on_framework.reasons if r.kind == "capacity")
    assert reason.text == (
        "A framework or dynamic purchasing system: its £5 million is a ceiling shared by its "
        "suppliers, and this supplier can take contracts of up to £200,000."
    )
    assert reason.data["framework"] is True and reason.data["fits"] is None
    # The score still weighs size: big frameworks tend to go to firms that take big contracts.
    assert on_framework.components["capacity"] == as_contract.components["capacity"]


def test_keywords_read_what_a_supplier_does_not_its_name():
    text = "Hot school meals cooked fresh for primary schools."
    register = [
        supplier(1, "Ribble Co-operative", text),
        supplier(2, "Thames School Meals Ltd", text, place=LEEDS),
        supplier(3, "Pennine Print", "Leaflets and posters."),
    ]
    index = MatchIndex.build(register)
    tender = TenderQuery(id=1, title="School meals", description="Hot meals for schools", **PRESTON)
    found = {m.supplier_id: m for m in index.match(tender)}
    assert found[1].components["keywords"] > 0.5
    assert found[2].components["keywords"] == pytest.approx(found[1].components["keywords"])
    assert 3 not in found or found[3].components["keywords"] == 0.0
    assert [m.supplier_id for m in index.match(tender)][:2] == [1, 2]  # then the nearer first
    # The scale is the query's own, so a view without the best match scores the rest alike.
    view = {m.supplier_id: m for m in index.restrict([2, 3]).match(tender)}
    assert view[2].components == found[2].components and view[2].score == found[2].score


def test_how_often_the_work_is_done_is_not_what_it_is():
    # Iveco's "Daily" is a van: a daily cleaning tender shares only that word with it.
    register = [
        supplier(1, "Van Dealer", "Iveco Daily vans and Daily minibuses, supplied and serviced."),
        supplier(2, "Pennine Print", "Leaflets and posters."),
    ]
    index = MatchIndex.build(register)
    tender = TenderQuery(
        id=1, title="Daily office cleaning", description="Cleaning, daily and quarterly.", **PRESTON
    )
    for match in index.match(tender):
        assert match.components["keywords"] == 0.0
        assert "daily" not in " ".join(r.text for r in match.reasons).lower()


def test_a_contract_titled_for_the_work_outranks_one_that_mentions_it():
    filler = "Services delivered across the borough to the council's standards."
    register = [
        supplier(1, "Alpha", "", awards=[PastAward("Office cleaning", f"{filler} Windows too.")]),
        supplier(2, "Beta", "", awards=[PastAward("Window cleaning", f"{filler} Offices too.")]),
        *[supplier(10 + k, f"Other {k}", f"Printing {k}") for k in range(3)],
    ]
    index = MatchIndex.build(register)
    tender = TenderQuery(id=1, title="Window cleaning", description="Cleaning of office windows")
    found = {m.supplier_id: m for m in index.match(tender)}
    assert found[2].components["keywords"] > found[1].components["keywords"]
    assert ids(index.match(tender))[0] == 2
    # A lot is read by its own title.
    lot = TenderQuery(id=2, title="Cleaning", lots=[LotQuery(id=5, title="Office cleaning")])
    best = index.match(lot)[0]
    assert best.supplier_id == 1 and best.lot_id == 5


def test_where_a_supplier_has_worked_counts_beside_where_it_is_based(tmp_path):
    preston = {"latitude": PRESTON["latitude"], "longitude": PRESTON["longitude"]}
    leeds = {"latitude": LEEDS["latitude"], "longitude": LEEDS["longitude"]}
    text = "Window cleaning for offices and schools."

    def based_in_leeds(id, **where):
        award = PastAward("Window cleaning", buyer_name="Preston City Council", **where)
        return supplier(id, f"Firm {id}", text, place=LEEDS, awards=[award])

    register = [
        based_in_leeds(1, **leeds),
        based_in_leeds(2, **preston),
        based_in_leeds(3),  # where its contract was is unknown: where it is based stands
        *[supplier(10 + k, f"Printer {k}", "Leaflets and posters.") for k in range(3)],
    ]
    index = MatchIndex.build(register)
    tender = TenderQuery(id=1, title="Window cleaning", description="Office windows", **PRESTON)
    found = {m.supplier_id: m for m in index.match(tender)}
    assert ids(index.match(tender))[0] == 2
    geography = {k: found[k].components["geography"] for k in (1, 2, 3)}
    assert geography[2] > geography[1] and geography[2] > geography[3]
    assert geography[3] == pytest.approx(math.exp(-found[3].distance_km / 40), abs=1e-4)
    reason = next(r for r in found[2].reasons if r.kind == "geography")
    assert "delivered a contract under 1 km from here (for Preston City Council)" in reason.text
    assert reason.data["worked_km"] == 0.0
    assert "delivered" not in next(r.text for r in found[1].reasons if r.kind == "geography")
    # Views and saved copies know where the work was too.
    assert index.restrict([1, 2]).match(tender)[0].components == found[2].components
    index.save(tmp_path / "index")
    assert MatchIndex.load(tmp_path / "index").match(tender)[0].to_dict() == found[2].to_dict()


def test_words_of_the_buying_are_not_shown_as_evidence():
    index = MatchIndex.build(
        [supplier(1, "Spotless", "Council office cleaning for borough councils, experienced. RFQ")]
    )
    tender = TenderQuery(
        id=1, title="RFQ 15: Borough council office cleaning", description="Experienced"
    )
    (match,) = index.match(tender)
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "office cleaning" in terms or "cleaning" in terms
    assert not [t for t in terms if {"council", "borough", "experienced", "rfq"} & set(t.split())]
    # Nor how long a contract runs: "three years" is no evidence of school meals.
    meals = MatchIndex.build([supplier(1, "Dinners Ltd", "School meals for three years, "
                                                         "with an optional extension.")])
    (match,) = meals.match(TenderQuery(id=2, title="School meals", description="Three years "
                                       "from September, with an optional extension period."))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "meals" in " ".join(terms)
    assert not [t for t in terms if {"years", "optional", "extension"} & set(t.split())]
    # Nor how a notice is worded.
    works = MatchIndex.build([supplier(1, "Builders", "We currently undertake refurbishment "
                                                     "works, to include alterations, on terms.")])
    (match,) = works.match(TenderQuery(id=3, title="Refurbishment works", description="To "
                                       "include alterations; currently on set terms."))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "refurbishment works" in terms and "alterations" in " ".join(terms)
    assert not [t for t in terms if {"currently", "include", "terms"} & set(t.split())]
    # Nor a word that says nothing alone, though it does in a phrase.
    it = MatchIndex.build([supplier(1, "Bytes", "Information technology services; information "
                                                "on request; works.")])
    (match,) = it.match(TenderQuery(id=4, title="Information technology services",
                                    description="Further information: works."))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "information technology" in terms
    assert not {"information", "services", "works"} & set(terms)
    pitch = MatchIndex.build([supplier(1, "Turf Co", "Carry out grass pitch drainage on the "
                                                    "council owned field by the start date.")])
    (match,) = pitch.match(TenderQuery(id=9, title="Grass pitch drainage", description="To "
                                       "carry out works to owned fields from a date to agree."))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "grass pitch" in terms or "pitch drainage" in terms
    assert not {"carry", "owned", "date"} & set(terms), terms
    # Nor how it is bought, or where that is published ("further competition", "Contracts
    # Finder", "LPS CORP", "Phase 2").
    cafe = MatchIndex.build([supplier(1, "Cafe Co", "Run the cafe, phase 2; won by further "
                                                   "competition, LPS CORP; on Contracts Finder.")])
    (match,) = cafe.match(TenderQuery(id=5, title="Run the cafe (phase 2)", description=(
        "Further competition under LPS CORP framework; see Contracts Finder.")))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "cafe" in terms
    assert not {"run", "phase", "competition", "corp", "finder"} & set(terms), terms
    # Nor how a notice is written, or what any work has: "documents can be downloaded",
    # "the work will be conducted by a team with sufficient capacity", "RM3731".
    wording = ("Documents can be downloaded on Friday. The survey will be conducted by an "
               "experienced team with sufficient capacity, tasked under RM3731.")
    surveyor = MatchIndex.build([supplier(1, "Survey Co", f"Asbestos survey. {wording}")])
    (match,) = surveyor.match(TenderQuery(id=6, title="Asbestos survey", description=wording))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "asbestos survey" in terms or "asbestos" in terms
    hidden = {"downloaded", "friday", "conducted", "team", "sufficient", "capacity", "tasked",
              "rm3731"}
    assert not [t for t in terms if hidden & set(t.split())], terms
    # Nor how the buyer asks, where to reply, or when: a vehicle dealer that won a TPPL notice
    # shares "inviting", "the-chest" and "July" with a cleaning notice, and nothing of the work.
    asking = ("TPPL is inviting quotations from interested suppliers. See the specification "
              "and register on www.the-chest.org.uk by 22nd July; St Annes City depot.")
    dealer = MatchIndex.build([
        supplier(1, "Vans Ltd", f"Supply of panel vans. {asking}"),
        supplier(2, "Shine Ltd", "Office cleaning and window cleaning."),
    ])
    tender = TenderQuery(id=5, title="Office cleaning", description=asking)
    found = {m.supplier_id: m for m in dealer.match(tender)}
    shine = next(r for r in found[2].reasons if r.kind == "text").data["terms"]
    assert "office cleaning" in shine
    vans = [r for r in found[1].reasons if r.kind == "text"]
    shown = vans[0].data["terms"] if vans else []
    asked = {"inviting", "interested", "specification", "register", "org", "chest", "thechest",
             "july", "nd", "st", "city", "quotations"}
    assert not [t for t in shown if asked & set(t.replace("-", "").split())], shown
    # Nor a buyer's reference number, though a standard's number is evidence.
    alarms = MatchIndex.build([supplier(1, "Alarm Co", "Fire alarms to BS5839, ITT DN775212, "
                                                       "bids submitted by 12 noon.")])
    (match,) = alarms.match(TenderQuery(id=6, title="Fire alarms to BS5839", description="ITT "
                                        "DN775212: bids submitted by 12 noon."))
    terms = " ".join(next(r for r in match.reasons if r.kind == "text").data["terms"])
    assert "bs5839" in terms and "alarm" in terms
    assert not {"dn775212", "bids", "submitted", "noon"} & set(terms.split()), terms
    # Nor who pays for the work.
    funded = ("Business growth advice, funded by the European Regional Development Fund.")
    grants = MatchIndex.build([supplier(1, "Growth Co", funded)])
    (match,) = grants.match(TenderQuery(id=7, title="Business growth advice", description=funded))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "business growth" in terms or "growth advice" in terms
    assert not [t for t in terms if {"european", "fund"} & set(t.split())], terms
    assert not {"regional", "development", "regional development"} & set(terms), terms
    # Nor who buys for others: a purchasing organisation's name is no evidence of the work.
    bought = "TPPL for NEPO: HGV refuse collection vehicles, through ESPO and YPO."
    trucks = MatchIndex.build([supplier(1, "Trucks Ltd", bought)])
    (match,) = trucks.match(TenderQuery(id=8, title="Refuse collection vehicles",
                                        description=bought))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "refuse collection" in terms or "collection vehicles" in terms
    assert not [t for t in terms if {"tppl", "nepo", "espo", "ypo"} & set(t.split())], terms
    # Nor what any contract has ("supply and delivery of", "support"), alone or together: on
    # the demo's 1,228 tenders, "supply" and "delivery" were the commonest single key terms.
    said = "Supply and delivery of sandblasting equipment; support to the site programme."
    blasting = MatchIndex.build([supplier(1, "Blast Co", said)])
    (match,) = blasting.match(TenderQuery(id=10, title="Sandblasting equipment",
                                          description=said))
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    assert "sandblasting" in " ".join(terms), terms
    weak = {"supply", "delivery", "support", "site", "programme", "supply delivery",
            "site programme"}
    assert not weak & set(terms), terms


def test_a_new_supplier_is_judged_capable_on_what_it_states(register, school_meals):
    # A new co-op has no contracts to judge: what it states (the lesser of its text and CPV
    # fit) stands in for a track record; scored 0, it stayed under "capable" for its own trade.
    text = "School meals, hot lunches and catering for primary schools."
    new = supplier(1, "New Dinners Co-op", text, cpv_codes=["55524000"])
    unrelated = [PastAward("Supply of road salt", "Gritting salt for the winter")]
    established = supplier(2, "Old Dinners Ltd", text, cpv_codes=["55524000"], awards=unrelated)
    found = {m.supplier_id: m for m in MatchIndex.build([new, established]).match(school_meals)}
    c = found[1].components
    assert c["track_record"] > 0
    assert c["track_record"] == pytest.approx(min(c["text"], c["cpv"]), abs=1e-6)
    # Capability reads its text over the words that are evidence of the work (here, all).
    assert c["work_text"] == pytest.approx(c["text"], abs=1e-6)
    assert c["similar_work"] == pytest.approx(min(c["work_text"], c["cpv"]), abs=1e-6)
    assert found[1].capability == pytest.approx(
        (0.45 * c["work_text"] + 0.15 * c["cpv"] + 0.25 * c["similar_work"]) / 0.85, abs=1e-5
    )
    assert found[1].capability >= 0.4
    # The ranking reads the same stand-in: the new co-op is not ranked as if its record were
    # bad (it has none), so it comes above a firm saying the same whose record is other work.
    assert found[1].score > found[2].score
    # A supplier with contracts on record is judged on them too: unrelated work counts against.
    # Of its record, capability reads the similar work, not how many contracts it has won.
    e = found[2].components
    assert e["similar_work"] < e["track_record"]
    assert found[2].capability == pytest.approx(
        (0.45 * e["work_text"] + 0.15 * e["cpv"] + 0.25 * e["similar_work"]) / 0.85, abs=1e-5
    )
    assert found[2].capability < found[1].capability
    # A code alone is not enough: a firm under the tender's code whose statement is about other
    # work gains only as much as its words fit, however well its code does.
    coded_only = supplier(
        40, "Kwik Tyres", "Tyre fitting and exhaust repairs for vans", cpv_codes=["55524000"]
    )
    lone = next(
        m
        for m in MatchIndex.build([*register, coded_only]).match(school_meals)
        if m.supplier_id == 40
    )
    k = lone.components
    assert k["cpv"] == 1.0 and k["text"] < 0.3
    assert lone.capability == pytest.approx(
        (0.45 * k["work_text"] + 0.15 + 0.25 * k["work_text"]) / 0.85, abs=1e-5
    )
    assert lone.capability < 0.4
    # A new firm that states no codes has nothing to stand in: its track record stays 0.
    uncoded = supplier(3, "Newer Dinners", text)
    alone = MatchIndex.build([uncoded]).match(school_meals)[0]
    u = alone.components
    assert u["track_record"] == 0
    assert alone.capability == pytest.approx(
        (0.45 * u["work_text"] + 0.15 * u["cpv"]) / 0.85, abs=1e-5)


def test_a_contract_sharing_only_a_place_name_is_not_similar_work():
    from coopmatch.geo import PlaceWords

    vans = supplier(
        1, "Van Dealer Ltd", "Vans", awards=[PastAward("Preston refuse vehicles", buyer_id=3)]
    )
    cooks = supplier(
        2, "Cooks Ltd", "Catering", awards=[PastAward("Hot meals for Blackburn schools")]
    )
    index = MatchIndex.build([vans, cooks])
    index.hidden_terms = PlaceWords(always=frozenset({"preston", "blackburn"}))
    tender = TenderQuery(id=9, title="School meals in Preston", description="Hot meals")
    found = {m.supplier_id: m for m in index.match(tender)}
    similar = {
        i: [r.text for r in m.reasons if r.text.startswith("Has delivered similar work")]
        for i, m in found.items()
    }
    assert similar[1] == []  # "Preston" says where, not what
    assert similar[2] == ["Has delivered similar work: 'Hot meals for Blackburn schools'."]
    assert any(r.text == "Has won 1 public contract." for r in found[1].reasons)
    # Nor is it evidence, in capability's text, that the van dealer can cook.
    vans_parts = found[1].components
    assert vans_parts["text"] > 0 and vans_parts["work_text"] < vans_parts["text"]
    assert found[1].capability < found[2].capability


def test_work_for_this_buyer_counts_only_where_it_is_the_same_kind_of_work():
    from coopmatch.geo import PlaceWords

    council = {"buyer_id": 3, "buyer_name": "Preston City Council"}
    vans = supplier(1, "Van Dealer Ltd", "", awards=[
        PastAward("Preston refuse vehicles", cpv_codes=["34144510"], **council),
        PastAward("Preston council vans", cpv_codes=["34136000"], **council)])
    cooks = supplier(2, "Cooks Ltd", "", awards=[
        PastAward("Hot meals for Preston care homes", cpv_codes=["55321000"], **council),
        PastAward("Hot meals for Preston day centres", cpv_codes=["55321000"], **council)])
    index = MatchIndex.build([vans, cooks])
    index.hidden_terms = PlaceWords(always=frozenset({"preston"}))
    meals = TenderQuery(id=9, title="School meals in Preston", description="Hot meals.",
                        cpv_codes=["55523100"], **council)
    elsewhere = dataclasses.replace(meals, buyer_id=None, buyer_name="")
    record = {i: {m.supplier_id: m.components["track_record"] for m in index.match(t)}
              for i, t in (("here", meals), ("elsewhere", elsewhere))}
    # The caterer's meals for the council count as its record with the buyer; the van
    # dealer's vans, which share only "Preston" with school meals, do not.
    assert record["here"][2] == pytest.approx(record["elsewhere"][2] + 0.25, abs=1e-5)
    assert record["here"][1] == pytest.approx(record["elsewhere"][1], abs=1e-6)
    # The reasons still say what it has done for the buyer: it is true, only not evidence.
    van = next(m for m in index.match(meals) if m.supplier_id == 1)
    assert "Has won 2 contracts from Preston City Council before." in [r.text for r in van.reasons]
    # A vans tender from the council is the dealer's own kind of work.
    fleet = TenderQuery(id=10, title="Refuse vehicles", description="Vans and refuse vehicles.",
                        cpv_codes=["34144510"], **council)
    found = {m.supplier_id: m.components["track_record"] for m in index.match(fleet)}
    alone = {m.supplier_id: m.components["track_record"]
             for m in index.match(dataclasses.replace(fleet, buyer_id=None))}
    assert found[1] == pytest.approx(alone[1] + 0.25, abs=1e-5)


def test_capability_reads_similar_work_not_how_many_contracts_or_whose():
    # A food distributor with eight county contracts, one of them coded as transport (its
    # delivery network): on the county's bus services it shares that CPV division and a
    # word or two. Its record with the county and its experience raise its ranking, but they
    # are no evidence that it can run buses: it must not come near the capable level.
    county = {"buyer_id": 5, "buyer_name": "Lancashire County Council"}
    foods = ["fresh bread and morning goods", "grocery and frozen food products",
             "fresh meat products", "fresh yoghurt products", "fruit, vegetables and salad",
             "soft drinks and confectionery", "food and drink products"]
    awards = [PastAward(f"Supply of {f} to the County Council", cpv_codes=["15000000"],
                        **county) for f in foods]
    awards.append(PastAward("Provision of a food distribution network to the County Council",
                            cpv_codes=["15000000", "60180000"], **county))
    grocer = supplier(1, "Ralph's Foods Ltd", "", awards=awards)
    buses = supplier(2, "Coaches Ltd", "", awards=[
        PastAward("Home to school transport: coach and minibus routes", cpv_codes=["60130000"])])
    # Others, so that the words every council contract has are common, as in a real register.
    trades = ["grounds maintenance", "legal advice", "window cleaning", "road gritting",
              "printing", "translation", "pest control", "lift maintenance", "audit", "security"]
    others = [supplier(10 + i, f"{t.title()} Ltd", "", awards=[
        PastAward(f"Provision of {t} services to the County Council", **county)])
        for i, t in enumerate(trades)]
    index = MatchIndex.build([grocer, buses, *others])
    tender = TenderQuery(id=1, title="Provision of local bus services and school bus services",
                         description="Local bus services across the county.",
                         cpv_codes=["60000000"], **county)
    found = {m.supplier_id: m for m in index.match(tender, MatchOptions(top_k=20))}
    food = found[1].components
    assert food["track_record"] > food["similar_work"]  # its eight contracts count there
    # Its text too is read over the words that are evidence of the work: "county council" and
    # "provision" say whom it worked for, not that it can run buses.
    assert food["work_text"] < food["text"]
    assert found[1].capability == pytest.approx(
        (0.45 * food["work_text"] + 0.15 * food["cpv"] + 0.25 * food["similar_work"]) / 0.85,
        abs=1e-5,
    )
    assert found[1].capability < 0.32  # under the gap report's near-miss band (0.40 - 0.08)
    assert found[2].capability >= 0.4  # the coach firm has done such work
    assert found[1].score < found[2].score


def test_a_statement_in_the_plural_matches_a_tender_in_the_singular():
    cafes = supplier(1, "Brew Co-op", "We run community cafés and tea rooms.")
    vans = supplier(2, "Van Hire Ltd", "Van hire and vehicle leasing for councils.")
    index = MatchIndex.build([cafes, vans])
    tender = TenderQuery(id=1, title="Café at the leisure centre", description="Run the café.")
    best = index.match(tender)[0]
    assert best.supplier_id == 1
    terms = next(r for r in best.reasons if r.kind == "text").data["terms"]
    assert "cafe" in terms
    # "Tea rooms" stated meets "tea room" asked.
    tender = TenderQuery(id=2, title="Tea room", description="A tea room to run in the park.")
    best = index.match(tender)[0]
    terms = next(r for r in best.reasons if r.kind == "text").data["terms"]
    assert best.supplier_id == 1 and "room" in " ".join(terms)


def test_a_word_is_shown_once_in_either_number():
    index = MatchIndex.build(
        [supplier(1, "Dinners Ltd", "Fresh cooked school dinners for local schools.")]
    )
    tender = TenderQuery(id=1, title="Dinners for schools", description="School dinners, fresh.")
    (match,) = index.match(tender)
    terms = next(r for r in match.reasons if r.kind == "text").data["terms"]
    words = [w for t in terms for w in t.split()]
    assert ("school" in words) != ("schools" in words)  # one of them, not both
    assert "fresh" in words


def test_another_trades_contract_is_not_cited_as_similar_work(tmp_path):
    waste = PastAward("Food waste vehicles", "Six 7.5t food waste vehicles", cpv_codes=["34144510"])
    meals = PastAward("Hot food for care homes", "Meals and hot food", cpv_codes=["55321000"])
    uncoded = PastAward("Hot food at events", "Street food stalls")
    index = MatchIndex.build(
        [
            supplier(1, "Trucks Ltd", "Vehicles", awards=[waste]),
            supplier(2, "Cooks Ltd", "Catering", awards=[meals]),
            supplier(3, "Stalls Ltd", "Events", awards=[uncoded]),
        ]
    )
    cafe = TenderQuery(
        id=1, title="Hospital cafe", description="Hot food and drinks", cpv_codes=["55330000"]
    )

    def similar(found):
        return {
            m.supplier_id: [r.text for r in m.reasons if r.text.startswith("Has delivered similar")]
            for m in found
        }

    said = similar(index.match(cafe))
    assert said[1] == []  # a vehicles contract (34) shares "food", not the trade (55)
    assert said[2] == ["Has delivered similar work: 'Hot food for care homes'."]
    assert said[3] == ["Has delivered similar work: 'Hot food at events'."]  # no code: not known
    # A tender without codes judges by words alone, as before.
    uncoded_cafe = TenderQuery(id=2, title="Hospital cafe", description="Hot food and drinks")
    assert similar(index.match(uncoded_cafe))[1] == [
        "Has delivered similar work: 'Food waste vehicles'."
    ]
    # The same after saving and loading the index.
    index.save(tmp_path / "index")
    assert similar(MatchIndex.load(tmp_path / "index").match(cafe))[1] == []


def test_top_k_over_mostly_excluded_scores_matches_a_full_sort():
    import numpy as np

    from coopmatch.matching.index import _top_k

    rng = np.random.default_rng(7)
    for share in (0.01, 0.3, 0.6, 1.0):
        score = np.round(rng.random(5000), 2).astype(np.float32)  # many ties
        score[rng.random(5000) > share] = -np.inf
        finite = np.flatnonzero(np.isfinite(score))
        expected = sorted(finite.tolist(), key=lambda i: (-score[i], i))[:10]
        assert _top_k(score, 10) == expected
    assert _top_k(np.full(10, -np.inf, dtype=np.float32), 3) == []


def test_a_dynamic_purchasing_system_is_no_evidence_of_the_work():
    # A works DPS and a passenger transport DPS share only how they are bought. Scored from the
    # shared words, the demolition firm must not be shown as able to drive passengers.
    demolition = supplier(1, "Knock Down Ltd", "", awards=[PastAward(
        "Demolition Works - Dynamic Purchasing System",
        "The council is inviting firms to join a dynamic purchasing system (DPS) for "
        "demolition works under a framework agreement. Call-off contracts follow.",
        cpv_codes=["45111100"])])
    index = MatchIndex.build([demolition])
    (match,) = index.match(TenderQuery(
        id=1, title="Provision of Passenger Transport Services - Dynamic Purchasing System",
        description="Accessible passenger transport for service users, through a dynamic "
                    "purchasing system (DPS) and framework agreements, with call-off contracts.",
        cpv_codes=["60120000"], **PRESTON))
    texts = [r for r in match.reasons if r.kind == "text"]
    shown = texts[0].data["terms"] if texts else []
    bought = {"dynamic", "purchasing", "dps", "system", "framework", "agreement", "agreements",
              "call-off", "calloff"}
    assert not [t for t in shown if bought & set(t.split())], shown
    assert not match.fits_work and not match.close_fit
    assert fit_label(match.capable_but_too_small, match.capable, match.fits_work) == (
        "no sign of this work")


def test_a_capable_score_without_a_sign_of_the_work_is_no_close_fit():
    assert fit_label(False, True, False) == "no sign of this work"
    assert fit_label(False, True, True) == "capable"
    assert fit_label(False, False, True) == "loose fit"
    assert fit_label(True, True, False) == "capable, but may be too small"


def test_only_reasons_about_the_work_make_a_match_fit_the_work():
    from coopmatch.matching.types import Reason, about_the_work

    place = Reason("geography", "Under 1 km away, in the same local authority (Preston).")
    count = Reason("track_record", "Has won 4 public contracts.", {"award_count": 4})
    buyer = Reason("buyer", "Has won 4 contracts from Preston City Council before.")
    assert not about_the_work([place, count, buyer, Reason("capacity", "Big enough.")])
    similar = Reason("track_record", "Has delivered similar work: 'School meals'.",
                     {"award_title": "School meals"})
    for work in (similar, Reason("text", "Shared key terms: meals."),
                 Reason("cpv", "Works under the tender's own CPV code."),
                 Reason("association", "The work it describes is the kind...")):
        assert about_the_work([place, work])


def test_it_support_matches_it_work_not_support_workers():
    register = [
        supplier(1, "Care Support", "Support workers for adults; supported living and support."),
        supplier(2, "Byte Co-op", "IT networks, laptops and information technology help desk."),
    ]
    tender = TenderQuery(id=1, title="IT support", description="For council offices.", **PRESTON)
    best = MatchIndex.build(register).match(tender)[0]
    assert best.supplier_id == 2
    terms = next(r for r in best.reasons if r.kind == "text").data["terms"]
    assert "information technology" in terms


def test_a_pair_of_words_the_tender_does_not_write_is_not_shown_as_a_phrase():
    text = "Office cleaners to complement in-house teams at council depots."
    register = [supplier(1, "Shine Co-op", text)]
    tender = TenderQuery(id=1, title="Office cleaners", description=text, **PRESTON)
    terms = next(r for r in MatchIndex.build(register).match(tender)[0].reasons
                 if r.kind == "text").data["terms"]
    assert "office cleaners" in terms
    assert not [t for t in terms if t in ("complement house", "cleaners complement")]


def test_a_joined_word_is_shown_as_the_tender_writes_it():
    register = [supplier(1, "Shine", "In-house cleaning teams and co-op cafe staff.")]
    tender = TenderQuery(id=1, title="Co-op cafe", description="In-house cleaning.", **PRESTON)
    terms = next(r for r in MatchIndex.build(register).match(tender)[0].reasons
                 if r.kind == "text").data["terms"]
    assert {"co-op cafe", "in-house cleaning"} <= set(terms)
    assert not [t for t in terms if "coop" in t or "inhouse" in t]


def test_a_phrase_is_shown_once_in_either_number():
    index = MatchIndex.build([supplier(1, "Dinners Ltd", "Hot school dinner and school dinners.")])
    tender = TenderQuery(id=1, title="School dinners", description="A school dinner, hot.")
    terms = next(r for r in index.match(tender)[0].reasons if r.kind == "text").data["terms"]
    assert ("school dinner" in terms) != ("school dinners" in terms)  # one of them, not both


def test_a_street_shared_with_the_tender_is_not_shown_as_shared_work():
    said = "Play areas built on Seven Stars Road and elsewhere: junior play equipment."
    index = MatchIndex.build([supplier(1, "Play Co-op", said)])
    tender = TenderQuery(id=1, title="Junior play area", description="At Seven Stars Road.",
                         **PRESTON)
    terms = next(r for r in index.match(tender)[0].reasons if r.kind == "text").data["terms"]
    assert "junior" in " ".join(terms)
    assert not {"seven stars", "stars road", "seven", "stars", "road"} & set(terms)


# A slice of the CPV-SIC bridge (cpv.load_cpv_bridge): catering services -> SIC 55 and 56.
BRIDGE = {"55000000": ["55", "56"], "77000000": ["01", "02"]}


def test_a_supplier_known_by_sic_codes_alone_fits_by_them(register, school_meals, tmp_path):
    # Co-operatives UK and Companies House give SIC codes, not CPV: a cafe co-op registered
    # under SIC 56102 (restaurants and cafes) is of the trade of a catering tender's CPV codes.
    text = "Community cafe and kitchen, hot lunches."
    cafe = supplier(50, "Canal Co-op", text, sic_codes=["56102"])
    no_sic = supplier(51, "Canal Co-op", text)
    other = supplier(52, "Canal Co-op", text, sic_codes=["47110"])  # a shop
    coded = supplier(53, "Canal Co-op", text, sic_codes=["56102"],
                     cpv_codes=["90910000"])  # its CPV codes say what it does
    index = MatchIndex.build([*register, cafe, no_sic, other, coded])
    index.sic_bridge = BRIDGE
    found = {m.supplier_id: m for m in index.match(school_meals, MatchOptions(top_k=20))}
    c = found[50].components
    assert c["cpv"] == pytest.approx(SIC_FIT)
    # What it states stands in for the record it does not have yet, as for a CPV code.
    assert c["track_record"] == pytest.approx(min(c["text"], SIC_FIT), abs=1e-6)
    assert found[50].score > found[51].score
    (sic,) = [r for r in found[50].reasons if r.kind == "sic"]
    # With no SIC names given (no reference data), the reason gives the code and division.
    assert sic.data == {"sic_code": "56102", "sic_division": "56", "sic_name": None,
                        "sic_division_name": None}
    assert sic.text == ("Its SIC code 56102 is in a sector that the tender's CPV codes belong "
                        "to (division 56: a broad CPV-SIC link).")
    assert found[50].fits_work
    # A SIC code in another sector, or no SIC code: CPV unknown, no stand-in record.
    for j in (51, 52):
        assert found[j].components["cpv"] == pytest.approx(UNKNOWN["cpv"])
        assert found[j].components["track_record"] == 0
        assert not any(r.kind == "sic" for r in found[j].reasons)
    assert found[52].score == pytest.approx(found[51].score)
    # CPV codes, where a supplier has them, say more than its SIC codes.
    assert found[53].components["cpv"] == 0
    assert not any(r.kind == "sic" for r in found[53].reasons)
    # Without the bridge (no reference data), SIC codes count for nothing.
    index.sic_bridge = {}
    bare = {m.supplier_id: m for m in index.match(school_meals, MatchOptions(top_k=20))}
    assert bare[50].score == pytest.approx(bare[51].score)
    # Saved and loaded (the bridge given again, as the app dresses a loaded index), a view of
    # some suppliers, and an update scores as the built index does.
    index.sic_bridge = BRIDGE
    index.save(tmp_path / "idx")
    loaded = MatchIndex.load(tmp_path / "idx")
    loaded.sic_bridge = BRIDGE
    again = {m.supplier_id: m for m in loaded.match(school_meals, MatchOptions(top_k=20))}
    assert again[50].score == pytest.approx(found[50].score)
    view = index.restrict([50, 51])
    assert [m.supplier_id for m in view.match(school_meals)] == [50, 51]
    index.update([dataclasses.replace(no_sic, sic_codes=["56101"])])
    assert next(m for m in index.match(school_meals, MatchOptions(top_k=20))
                if m.supplier_id == 51).components["cpv"] == pytest.approx(SIC_FIT)


def test_a_tender_coded_only_by_its_division_says_no_more_than_the_trade():
    from coopmatch.matching.signals import cpv_pair_score

    # "60000000 Transport services": a goods-transport code within it is the same trade, not
    # the work asked for; a group or narrower code is matched as far as it goes.
    assert cpv_pair_score("60000000", "60180000") == (0.6, 2)
    assert cpv_pair_score("60000000", "60000000") == (0.6, 2)
    assert cpv_pair_score("60100000", "60180000") == (1.0, 3)
    assert cpv_pair_score("60112000", "60112000") == (1.0, 5)
    assert cpv_pair_score("60112000", "60180000") == (0.6, 3)
    assert cpv_pair_score("60112000", "60113000") == (0.8, 4)
    distributor = supplier(1, "Food Hub Ltd", "Food distribution to schools",
                           cpv_codes=["60180000"])
    (match,) = MatchIndex.build([distributor]).match(TenderQuery(
        id=1, title="Local bus services", description="School and local bus routes.",
        cpv_codes=["60000000"], **PRESTON))
    assert match.components["cpv"] == pytest.approx(0.6)
    reason = next(r for r in match.reasons if r.kind == "cpv")
    assert "in the same division as the tender's 60000000" in reason.text
    # A supplier's view of the same tender scores it alike.
    from coopmatch.matching.signals import CPVPostings

    postings = CPVPostings.build([["60000000"], ["60100000"]])
    assert postings.supplier_to_documents(["60180000"], 2).tolist() == pytest.approx([0.6, 1.0])


def test_how_a_notice_is_bought_does_not_match_firms_that_won_other_work_bought_so():
    # Lancashire's passenger transport DPS had listed demolition and surfacing firms first,
    # for the "dynamic purchasing system" of the works they had won.
    register = [
        supplier(1, "Fylde Minibuses", "Passenger transport: minibuses and taxis for schools."),
        supplier(2, "Ribble Demolition", "Demolition and site clearance.", awards=[
            PastAward("Demolition Dynamic Purchasing System (DPS)",
                      "A dynamic purchasing system for demolition works, open to new members "
                      "while the dynamic purchasing system runs.", buyer_id=3),
        ]),
    ]
    index = MatchIndex.build(register)
    dps = TenderQuery(
        id=1,
        title="Provision of Passenger Transport Services - Dynamic Purchasing System",
        description="Operators are invited to join the dynamic purchasing system (DPS) for "
        "the future provision of these services.",
    )
    found = index.match(dps)
    assert ids(found)[0] == 1
    assert found[0].score > 2 * next(m.score for m in found if m.supplier_id == 2)
