import pytest

from coopmatch.cpv import CPVVocabulary, shared_depth
from coopmatch.errors import InvalidCPV


@pytest.fixture(scope="module")
def cpv(data_dir):
    return CPVVocabulary(data_dir)


def test_accepts_codes_with_or_without_check_digit(cpv):
    assert cpv.normalise_many("45000000-7; 55520000,90910000") == [
        "45000000", "55520000", "90910000"]


@pytest.mark.parametrize("code, message", [
    ("4500000", "is not a CPV code"),
    ("45000000-1", "wrong check digit"),
    ("99999999", "not a code in CPV 2008"),
])
def test_rejects_bad_codes(cpv, code, message):
    with pytest.raises(InvalidCPV) as caught:
        cpv.normalise(code)
    assert message in caught.value.message


def test_word_search_finds_codes_by_description(cpv):
    codes = [c.code for c in cpv.search("school meals")]
    assert "15894210" in codes or "55523100" in codes
    assert cpv.search("groundz maintenence")[0].code == "77314000"


def test_code_prefix_search(cpv):
    assert all(c.code.startswith("4521") for c in cpv.search("4521"))


def test_shared_depth_follows_the_hierarchy():
    assert shared_depth("45210000", "45211000") == 4
    assert shared_depth("45000000", "45210000") == 2
    assert shared_depth("45000000", "90910000") == 0


def test_without_data_codes_are_checked_by_format_only():
    cpv = CPVVocabulary(None)
    assert cpv.normalise("12345678") == "12345678"
    with pytest.raises(InvalidCPV):
        cpv.normalise("1234")
