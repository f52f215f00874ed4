from datetime import date

import pytest

from coopmatch.spend import (
    REJECTED,
    Payment,
    SupplierRegister,
    Thresholds,
    decision_key,
    resolve_suppliers,
    review_queue,
    spend_by_name,
)

REGISTER = [
    (1, "SMITH J AND SONS LIMITED", "BB5 1AA", []),
    (2, "Lancashire Gas Services Ltd", "BB5 2AA", []),
    (3, "Acme Plumbing Ltd", "PR1 2HE", ["Acme Heating"]),
    (4, "Acme Plumbing Ltd", "LS1 1AA", []),
    (5, "Oyster Partnership Ltd", "M1 1AA", []),
    (6, "Unit 4 Holdings Ltd", None, []),
    (7, "Rossendale Vulcanising (Sales) Ltd", None, []),
    (8, "Rossendale Vulcanizing Sales Ltd", None, []),
    (9, "Third Party Forensic Services Ltd", None, []),
]


def _one(name, decisions=None, **options):
    return resolve_suppliers([name], REGISTER, decisions, **options)[name]


def test_normalised_names_match_exactly():
    found = _one("J Smith & Sons Ltd")
    assert (found.supplier_id, found.status, found.confidence) == (1, "auto", 1.0)
    assert found.reason == "exact"
    assert _one("LANCASHIRE GAS SERVICES").supplier_id == 2


def test_a_trading_name_matches():
    found = _one("Acme Ltd t/a Acme Heating")
    assert (found.supplier_id, found.reason) == (3, "trading name")


def test_a_suppliers_own_name_comes_before_another_suppliers_trading_name():
    register = [(1, "General Motors UK Limited t/a Vauxhall Motors", None, []),
                (2, "Vauxhall Motors Ltd", None, [])]
    found = resolve_suppliers(["VAUXHALL MOTORS LTD"], register)["VAUXHALL MOTORS LTD"]
    assert (found.supplier_id, found.status, found.reason) == (2, "auto", "exact")
    found = resolve_suppliers(["Acme Heating"], REGISTER)["Acme Heating"]
    assert (found.supplier_id, found.status, found.reason) == (3, "auto", "trading name")


def test_a_near_spelling_matches_with_less_than_full_confidence():
    found = _one("Oister Partnership")
    assert (found.supplier_id, found.status, found.reason) == (5, "auto", "fuzzy")
    assert 0.92 <= found.confidence < 1


def test_a_remembered_decision_is_confirmed():
    found = _one("Smith Bros", {decision_key("Smith Bros"): 1})
    assert (found.supplier_id, found.status, found.confidence) == (1, "confirmed", 1.0)


def test_a_remembered_rejection_is_honoured():
    found = _one("Oyster Partnership", {decision_key("OYSTER PARTNERSHIP LTD"): REJECTED})
    assert (found.supplier_id, found.status, found.reason) == (None, "unresolved", "rejected")


def test_a_decision_for_a_supplier_no_longer_registered_is_ignored():
    found = _one("J Smith & Sons Ltd", {decision_key("J Smith & Sons Ltd"): 999})
    assert (found.supplier_id, found.status) == (1, "auto")


def test_the_same_name_on_two_suppliers_goes_to_review():
    found = _one("ACME PLUMBING")
    assert (found.supplier_id, found.status, found.reason) == (None, "review", "ambiguous")
    assert {c.supplier_id for c in found.candidates} == {3, 4}
    assert {c.postcode for c in found.candidates} == {"PR1 2HE", "LS1 1AA"}


def test_two_close_candidates_go_to_review():
    found = _one("Rossendale Vulcanisng Sales")
    assert found.status == "review"
    assert found.supplier_id is None
    assert [c.supplier_id for c in found.candidates][:2] in ([7, 8], [8, 7])


def test_different_numbers_are_never_matched_automatically():
    found = _one("Unit 5 Holdings Ltd")
    assert (found.supplier_id, found.status, found.reason) == (None, "review", "numbers differ")


def test_a_redacted_name_never_resolves():
    for name in ("THIRD PARTY", "Redacted - personal data"):
        found = _one(name, {decision_key(name): 1})
        assert (found.supplier_id, found.status, found.reason) == (None, "unresolved", "redacted")
    # A real firm whose name starts like a redaction still resolves.
    assert _one("THIRD PARTY FORENSIC SERVICES").supplier_id == 9


def test_weak_or_empty_names_stay_unresolved():
    assert _one("Nobody At All").status == "unresolved"
    assert _one("Ltd").reason == "no name"
    assert _one("Lancs Gas").status == "unresolved"


def test_thresholds_are_configurable():
    strict = Thresholds(auto=0.99, review=0.95)
    assert _one("Oister Partnership", thresholds=strict).status == "unresolved"
    loose = Thresholds(auto=0.85, review=0.6)
    assert _one("Lancs Gas Services", thresholds=loose).status in {"auto", "review"}
    with pytest.raises(ValueError):
        Thresholds(auto=0.5, review=0.9)


def test_results_keep_input_order_and_a_register_can_be_reused():
    register = SupplierRegister(REGISTER)
    names = ["Nobody", "J Smith & Sons Ltd", "Nobody", "ACME PLUMBING"]
    found = resolve_suppliers(names, register)
    assert list(found) == ["Nobody", "J Smith & Sons Ltd", "ACME PLUMBING"]
    assert resolve_suppliers(["Oister Partnership"], register)["Oister Partnership"].resolved


def test_blocking_finds_typos_in_any_word():
    register = SupplierRegister(
        [(i, f"Supplier Number {i} Services Ltd", None, []) for i in range(2000)]
        + [
            (5000, "Marchbridge Builders Ltd", None, []),
            (5001, "Hitchens Engravers Ltd", None, []),
            (5002, "Campbells Guesthouse", None, []),
        ]
    )
    typos = ["Marchbrdge Builders", "Hitchens Engravrs Ltd", "Capmbells Guesthouse", "Hitchns"]
    found = resolve_suppliers(typos, register)
    assert found["Marchbrdge Builders"].supplier_id == 5000
    assert found["Hitchens Engravrs Ltd"].supplier_id == 5001
    # No word the register knows, and the first letters swapped: scored against everyone.
    assert found["Capmbells Guesthouse"].supplier_id == 5002
    assert found["Hitchns"].status == "unresolved"


def test_short_names_need_more_confidence():
    register = [(1, "Spar (UK) Ltd", None, []), (2, "Supra UK Ltd", None, [])]
    found = resolve_suppliers(["Supar UK Ltd"], register)["Supar UK Ltd"]
    assert (found.status, found.supplier_id) == ("review", None)
    assert found.candidates[0].supplier_id == 1  # the likelier spelling is not the right firm


def test_the_review_queue_puts_the_most_money_first():
    payments = [
        Payment(2, date(2020, 5, 1), 1_000, "ACME PLUMBING"),
        Payment(3, date(2020, 5, 2), 90_000, "Rossendale Vulcanisng Sales"),
        Payment(4, date(2020, 5, 3), -500, "ACME PLUMBING"),
        Payment(5, date(2020, 5, 3), 7_000, "J Smith & Sons Ltd"),
    ]
    spend = spend_by_name(payments)
    assert spend["ACME PLUMBING"] == 500
    found = resolve_suppliers(spend, REGISTER)
    queue = review_queue(found, spend)
    assert [(r.name, pence) for r, pence in queue] == [
        ("Rossendale Vulcanisng Sales", 90_000),
        ("ACME PLUMBING", 500),
    ]


def test_names_alike_only_in_what_the_firms_do_are_not_candidates():
    register = [(1, "CPL Heating and Plumbing Ltd", None, []),
                (2, "RPS Consulting Services Ltd", None, []),
                (3, "Pilkington Bros Ltd", None, []),
                (4, "Bryan Lee Building Contracts Ltd", None, [])]
    names = ["GUL Plumbing and Heating", "AGS Heating & Plumbing Ltd", "PA Consulting Services",
             "Pilkington Bros (Church) Ltd", "Bryan Lee Bulding Contractors"]
    found = resolve_suppliers(names, register)
    # Once "heating", "plumbing" and "consulting services" are set aside, nothing is alike.
    for name in names[:3]:
        assert (found[name].status, found[name].supplier_id) == ("unresolved", None), name
    # The firm's own words agree (a place added, a typo in a trade word): still candidates.
    church = found["Pilkington Bros (Church) Ltd"]
    assert church.status == "review" and church.candidates[0].supplier_id == 3
    assert found["Bryan Lee Bulding Contractors"].supplier_id == 4


def test_names_it_might_be_screens_ledger_names_for_new_suppliers():
    from coopmatch.spend import names_it_might_be

    names = [
        "ACME PLUMBING LIMITED",  # exact once normalised
        "Acme Plumbng Ltd",  # a typo
        "Plumbing Acme Ltd",  # words in another order
        "J Bloggs T/A Acme Heating",  # its trading name
        "Lancashire Gas Services",  # another firm
        "Oyster Partnership",
    ]
    keys = [decision_key(n) for n in names]
    new = SupplierRegister([(3, "Acme Plumbing Ltd", "PR1 2HE", ["Acme Heating"])])
    hit = names_it_might_be(names, keys, new)
    assert hit.tolist() == [True, True, True, True, False, False]
    # A superset of what resolving against the new supplier alone finds.
    found = resolve_suppliers(names, new)
    assert all(hit[i] for i, n in enumerate(names) if found[n].status in ("auto", "review"))
    assert not names_it_might_be([], [], new).any()
