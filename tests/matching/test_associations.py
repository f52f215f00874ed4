"""Learned associations: work that goes to the same suppliers, even without shared words."""

import dataclasses

import numpy as np

from coopmatch.matching import (
    DEFAULT_WEIGHTS,
    MatchIndex,
    MatchOptions,
    PastAward,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.matching import associations as learned

# Three trades whose contracts use two vocabularies each: a firm that supplies drivers also
# runs recruitment, a caterer also does cleaning, a grounds firm also does tree work.
TRADES = {
    "staffing": (
        "LGV drivers for winter gritting and HGV driver hire",
        "Temporary and permanent recruitment agency staff",
    ),
    "catering": (
        "School meals and hot lunches for primary schools",
        "Office cleaning and janitorial services",
    ),
    "grounds": (
        "Grass cutting and grounds maintenance of parks",
        "Tree surgery, felling and arboricultural works",
    ),
}


def trade_register() -> list[SupplierProfile]:
    """Ten firms per trade with both kinds of contract, then one firm per trade with one kind."""
    profiles = []
    for t, (first, second) in enumerate(TRADES.values()):
        for k in range(10):
            profiles.append(
                SupplierProfile(
                    id=100 * (t + 1) + k,
                    name=f"Firm {t}-{k}",
                    awards=[
                        PastAward(f"{first} lot {k}", buyer_id=k),
                        PastAward(f"{second} area {k}", buyer_id=k + 1),
                    ],
                )
            )
    # Only the second kind of work on record: their first kind must come from association.
    profiles.append(
        SupplierProfile(1, "Harbour Recruitment", awards=[PastAward(TRADES["staffing"][1])])
    )
    profiles.append(
        SupplierProfile(2, "Bright Cleaning", awards=[PastAward(TRADES["catering"][1])])
    )
    profiles.append(SupplierProfile(3, "Oak Arborists", awards=[PastAward(TRADES["grounds"][1])]))
    return profiles


def drivers_tender() -> TenderQuery:
    return TenderQuery(id=1, title="Provision of LGV drivers", description="Drivers for gritting")


def test_work_goes_to_the_supplier_whose_history_is_associated_with_it():
    index = MatchIndex.build(trade_register())
    assert index.associations is not None
    found = {m.supplier_id: m for m in index.match(drivers_tender(), MatchOptions(top_k=100))}
    # None of the three single-contract firms shares a word with the tender ...
    for supplier_id in (1, 2, 3):
        assert found[supplier_id].components["text"] < 0.05
    # ... but recruitment is what drivers' suppliers also do.
    association = {i: found[i].components["association"] for i in (1, 2, 3)}
    assert association[1] > 0.5 > max(association[2], association[3])
    assert found[1].score > max(found[2].score, found[3].score)
    kinds = [r.kind for r in found[1].reasons]
    assert "association" in kinds
    assert "association" not in [r.kind for r in found[2].reasons]
    # A firm that shares the tender's words is explained by them, not by the association.
    assert found[100].components["text"] > 0.3
    assert "association" not in [r.kind for r in found[100].reasons]
    assert "text" in [r.kind for r in found[100].reasons]


def test_association_weight_zero_turns_it_off():
    options = MatchOptions(top_k=100)
    index = MatchIndex.build(trade_register(), {"association": 0.0})
    off = {m.supplier_id: m.score for m in index.match(drivers_tender(), options)}
    on = {
        m.supplier_id: m.score
        for m in index.match(
            drivers_tender(), dataclasses.replace(options, weights=dict(DEFAULT_WEIGHTS))
        )
    }
    # Without it the recruiter has nothing over the cleaner; with it, it leads.
    assert off[1] < off[2]
    assert on[1] > on[2]


def test_too_little_history_learns_nothing(register, school_meals):
    # The small hand-made register has no supplier with two contracts.
    index = MatchIndex.build(register)
    assert index.associations is None
    assert all("association" not in m.components for m in index.match(school_meals))
    assert learned.fit(index.awards_t.T.tocsr(), index.award_owner, index.size) is None


def test_fitting_is_deterministic():
    index = MatchIndex.build(trade_register())
    again = MatchIndex.build(trade_register())
    assert np.array_equal(index.profile_vectors, again.profile_vectors)


def test_saved_viewed_and_updated_indexes_keep_the_associations(tmp_path):
    index = MatchIndex.build(trade_register())
    tender = drivers_tender()
    expected = [m.to_dict() for m in index.match(tender, MatchOptions(top_k=100))]
    index.save(tmp_path / "suppliers")
    loaded = MatchIndex.load(tmp_path / "suppliers")
    assert [m.to_dict() for m in loaded.match(tender, MatchOptions(top_k=100))] == expected
    view = index.restrict([1, 2, 3])
    assert [m.to_dict() for m in view.match(tender)] == [
        m for m in expected if m["supplier_id"] in (1, 2, 3)
    ]
    # A newcomer gets its place in the learned space from the fitted map.
    newcomer = SupplierProfile(4, "Northern Staffing", awards=[PastAward(TRADES["staffing"][1])])
    index.update([newcomer, dataclasses.replace(trade_register()[-1], id=5)])
    assert index.profile_vectors.shape[0] == len(index.ids)
    found = {m.supplier_id: m for m in index.match(tender, MatchOptions(top_k=100))}
    assert found[4].components["association"] > 0.5


def test_opportunities_use_the_same_associations(tmp_path):
    from coopmatch.matching.opportunities import OpportunityIndex

    suppliers = MatchIndex.build(trade_register())
    meals = TenderQuery(id=2, title="Catering for care homes", description="Cooked meals")
    tenders = OpportunityIndex.build([meals, drivers_tender()], learned_from=suppliers)
    recruiter = trade_register()[-3]
    assert recruiter.id == 1
    vector = suppliers.profile_vector(1)
    found = tenders.for_supplier(recruiter, profile_vector=vector)
    # The recruiter shares no words with either tender; the drivers' work is what it is for.
    assert [o.tender_id for o in found] == [1, 2]
    assert found[0].components["association"] > 0.5
    said = next(r.text for r in found[0].reasons if r.kind == "association")
    assert said == "Its past contracts are the kind often won by firms that win work like this."
    # A supplier with no contracts yet is associated through what it says it does.
    described = SupplierProfile(9, "Temps Direct", text=" ".join(a.title for a in recruiter.awards))
    fresh = tenders.for_supplier(described, profile_vector=vector)
    texts = [r.text for o in fresh for r in o.reasons if r.kind == "association"]
    assert texts and set(texts) == {
        "The work it describes is the kind often done by firms that win work like this."
    }
    # Saved and loaded, the index keeps the tenders' places in the learned space.
    tenders.save(tmp_path / "tenders")
    loaded = OpportunityIndex.load(tmp_path / "tenders")
    assert [o.to_dict() for o in loaded.for_supplier(recruiter, profile_vector=vector)] == [
        o.to_dict() for o in found
    ]
    # Without the supplier's vector, the association plays no part.
    assert all("association" not in o.components for o in tenders.for_supplier(recruiter))
    assert suppliers.profile_vector(999) is None


def test_the_association_is_a_reason_only_when_it_stands_out():
    from coopmatch.matching import reasons

    # Half of a register scores about 0.5 for any notice: that says nothing about this one.
    assert reasons.association_reason(0.6, text=0.1) is None
    found = reasons.association_reason(0.9, text=0.1)
    assert found is not None and found.kind == "association"
    # Where words are shared, they are the better reason.
    assert reasons.association_reason(0.9, text=0.5) is None


def test_no_association_reason_for_a_newcomer_whose_codes_are_other_work(tmp_path):
    """A supplier with no contracts that states its CPV codes has said what its work is: words
    that go with a tender of another division are no reason to offer it."""
    from coopmatch.matching.opportunities import OpportunityIndex

    recruiter = trade_register()[-3]
    words = " ".join(a.title for a in recruiter.awards)

    def newcomer(codes):
        return SupplierProfile(9, "Temps Direct", text=words, cpv_codes=codes)

    def drivers(codes):
        return dataclasses.replace(drivers_tender(), cpv_codes=codes)

    def reasons_for(profile, tender):
        index = MatchIndex.build([*trade_register(), profile])
        (found,) = [m for m in index.match(tender, MatchOptions(top_k=100)) if m.supplier_id == 9]
        tenders = OpportunityIndex.build([tender], learned_from=index)
        (offered,) = tenders.for_supplier(profile, profile_vector=index.profile_vector(9))
        assert found.components["association"] > 0.75 and found.components["text"] < 0.3
        assert offered.components["association"] > 0.75
        return {r.kind for r in found.reasons}, {r.kind for r in offered.reasons}

    # Staffing codes (79) against a transport-coded tender (60): the association is not said.
    matched, offered = reasons_for(newcomer(["79620000"]), drivers(["60100000"]))
    assert "association" not in matched and "association" not in offered
    # In the tender's division, or where either gives no codes, it is.
    for profile, tender in [(newcomer(["79620000"]), drivers(["79600000"])),
                            (newcomer([]), drivers(["60100000"])),
                            (newcomer(["79620000"]), drivers([]))]:
        matched, offered = reasons_for(profile, tender)
        assert "association" in matched and "association" in offered
    # A supplier with contracts keeps it: its contracts, not its codes, are the evidence.
    matched, _ = reasons_for(dataclasses.replace(recruiter, id=9, cpv_codes=["79620000"]),
                             drivers(["60100000"]))
    assert "association" in matched
