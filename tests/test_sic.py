import pytest

from coopmatch.errors import InvalidSIC
from coopmatch.sic import SICVocabulary, parse_sic_codes


@pytest.fixture(scope="module")
def sic(data_dir):
    return SICVocabulary(str(data_dir))


def test_names_codes_from_the_companies_house_list(sic):
    assert sic.describe("56102") == "56102 Unlicenced restaurants and cafes"
    assert sic.division_name("56") == "Food and beverage service activities"


def test_a_code_standing_for_a_group_or_division_takes_its_name(sic):
    # Co-operatives UK gives some co-ops a group or division padded with zeros.
    assert sic.describe("35100") == "35100 Electric power generation, transmission and distribution"
    assert sic.name("01000") == "Crop and animal production, hunting and related service activities"
    # A code in no list, and not a padded group, has no name: it is shown as it is.
    assert sic.name("12345") is None and sic.describe("12345") == "12345"


def test_without_reference_data_codes_are_shown_bare(tmp_path):
    bare = SICVocabulary(str(tmp_path))
    assert bare.describe("56102") == "56102" and bare.division_name("56") is None
    assert SICVocabulary(None).name("56102") is None


def test_finds_codes_by_words_or_code_prefix(sic):
    assert sic.search("cafe")[0] == ("56102", "Unlicenced restaurants and cafes")
    # Every word, as a word's start, shortest name first.
    assert sic.search("window clean")[0] == ("81221", "Window cleaning services")
    assert [code for code, _ in sic.search("8122", limit=5)] == ["81221", "81222", "81223",
                                                                  "81229"]
    assert sic.search("plumbin")[0][0] == "43220"  # a word cut short still finds it
    assert sic.search("") == [] and SICVocabulary(None).search("cafe") == []


def test_parses_codes_in_order_without_repeats():
    assert parse_sic_codes("56102; 62000,56102 88990") == ["56102", "62000", "88990"]
    assert parse_sic_codes("") == [] and parse_sic_codes(None) == []


@pytest.mark.parametrize("text", ["5610", "abc", "561020", "56102 x"])
def test_rejects_what_is_not_a_five_digit_code(text):
    with pytest.raises(InvalidSIC) as caught:
        parse_sic_codes(text, field="sic")
    assert "is not a SIC code: SIC codes have 5 digits" in caught.value.message
    assert caught.value.field == "sic"
