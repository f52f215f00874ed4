"""Ids built from names and references stay as they were first built."""

import pytest

from coopmatch.imports.notices import arrangement_from, slug


def test_an_id_keeps_every_part_of_the_reference_it_is_built_from():
    # Name matching reads "- 362169" as an account number to drop; an id must not: two
    # releases of one notice would become one id.
    first = "cdba1419-3c10-4c5e-976e-19a1c2ca509d-362169-tender_235702-859955"
    second = "cdba1419-3c10-4c5e-976e-19a1c2ca509d-362170-tender_235702-859955"
    assert slug(first) == "cdba1419-3c10-4c5e-976e-19a1c2ca509d-362169-tender-235702-859955"
    assert slug(first) != slug(second)


def test_an_id_built_from_a_buyers_name_is_as_it_was():
    # A trading name is dropped, as it always was; the notes name matching now drops are not.
    assert slug("Kent County Council (t/a LASER)") == "kent-county-council"
    assert slug("Costain Limited (H7-Heathrow)") == "costain-h7-heathrow"
    assert slug("Lancashire County Council (Direct Debit Payments)") == (
        "lancashire-county-council-direct-debit-payments")


@pytest.mark.parametrize(
    ("procedure", "flags", "arrangement"),
    [
        # Contracts Finder's pick list, in its OCDS and its CSV export.
        ("Call-off from a framework agreement", {}, "call_off"),
        ("Call off from a Framework Agreement", {}, "call_off"),
        ("CallOffFromFrameworkAgreement ", {}, "call_off"),
        # The buyer's own words after "Other".
        ("Other - Further Competition - Framework", {}, "call_off"),
        ("Other - Direct Award from a Framework Contract", {}, "call_off"),
        ("Other - Further Competition via YPO's Insurance Placement DPS", {}, "call_off"),
        ("Other Dynamic Purchasing System", {}, "dps"),
        ("Other Dynamic Purchasing System Framework", {}, "dps"),
        # Picked for a DPS's own notice as well as for contracts let from one: not said.
        ("Call-off from a dynamic purchasing system", {}, ""),
        ("CallOffFromDynamicPurchasingSystem ", {"has_framework": True}, ""),
        # OCDS techniques extension.
        ("", {"has_dps": True, "has_framework": True}, "dps"),
        ("Open procedure", {"has_framework": True}, "framework"),
        ("Call-off from a framework agreement", {"has_framework": True}, "call_off"),
        # Nothing said of how it is let.
        ("Open procedure (below threshold)", {"has_framework": False}, ""),
        ("Restricted procedure", {}, ""),
        (None, {"has_framework": "yes"}, ""),  # not the boolean the schema asks for
    ],
)
def test_how_a_notice_is_let_is_read_from_what_its_source_states(procedure, flags, arrangement):
    assert arrangement_from(procedure, **flags) == arrangement
