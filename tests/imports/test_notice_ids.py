"""Ids built from names and references stay as they were first built."""

from coopmatch.imports.notices import slug


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
