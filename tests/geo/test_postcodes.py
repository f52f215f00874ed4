import pytest

from coopmatch.errors import InvalidPostcode
from coopmatch.geo import find_postcode, haversine_km, normalise_postcode, outward_code


@pytest.mark.parametrize(
    "raw, expected",
    [("pr12he", "PR1 2HE"), (" PR1  2HE ", "PR1 2HE"), ("sw1a1aa", "SW1A 1AA"),
     ("M1 1AE", "M1 1AE"), ("bb11 9sa", "BB11 9SA"), ("EC1A 1BB", "EC1A 1BB")],
)
def test_normalises_valid_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [("", "Enter a postcode."),
     ("PR1", "not just the first half"),
     ("12345", "'12345' is not one"),
     ("PR1 2H", "Enter a full UK postcode, like PR1 2HE"),
     ("QQ1 1AA", "Enter a full UK postcode")],
)
def test_rejects_bad_postcodes_with_a_message_naming_the_problem(raw, message):
    with pytest.raises(InvalidPostcode) as caught:
        normalise_postcode(raw, field="delivery_postcode")
    assert message in caught.value.message
    assert caught.value.field == "delivery_postcode"


def test_finds_the_postcode_inside_an_address_line():
    address = "Unit 4, Riverside Works, Preston, Lancashire, PR1 8UY, UK"
    assert find_postcode(address) == "PR1 8UY"
    assert find_postcode("no postcode here") is None


def test_outward_code_and_distance():
    assert outward_code("PR1 2HE") == "PR1"
    # Preston to Manchester is about 43 km as the crow flies.
    assert 43 < haversine_km(53.7590, -2.7040, 53.4808, -2.2426) < 44
