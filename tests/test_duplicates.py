"""Suppliers and organisations listed twice: which pairs a person is asked about."""

from hashlib import sha1

from coopmatch.duplicates import Entry, likely_duplicates, likely_same_bodies, repeats
from coopmatch.names import buyer_key, normalise_name


def entry(i, name, postcode=None, number=None):
    return Entry(i, normalise_name(name), postcode, number)


def test_names_spelt_differently_pair_up_most_alike_first():
    pairs = likely_duplicates([
        entry(1, "NI Construction (NW) Ltd"),
        entry(2, "NI Constructions (NW) Ltd"),
        entry(3, "Paydale Playgrounds Ltd"),  # a typo in the first word
        entry(4, "Playdale Playgrounds Ltd"),
        entry(5, "A E Yates"),  # alike once spaces are taken out
        entry(6, "AE Yates"),
        entry(7, "Preston Cleaning Co-operative", "PR1 2HE"),
        entry(8, "Dasco Construction Ltd Company"),  # a typo in a word of its own
        entry(9, "Dracso Construction Ltd Company"),
        entry(10, "Beever and Struthers Chartered Accountants and Business Advisors"),
        entry(11, "Beever and Struthers, Chartered Accountants & Business Advis"),  # cut short
        entry(12, "Ford Motor Company Ltd"),
        entry(13, "Ford Motor Co. Ltd Self Billing"),  # a ledger's note after the name
    ])
    assert {(p.first, p.second) for p in pairs} == {(1, 2), (3, 4), (5, 6), (8, 9), (10, 11),
                                                    (12, 13)}
    assert pairs[0].score == 100 and pairs[0].first in (5, 12)
    assert all(p.first < p.second for p in pairs)


def test_a_name_with_its_trade_or_branch_added_pairs_with_the_name():
    pairs = likely_duplicates([
        entry(1, "Beever and Struthers"),
        entry(2, "Beever and Struthers Chartered Accountants and Business Advisors"),
        entry(3, "Cassidy and Ashton Group Ltd"),
        entry(4, "Cassidy & Ashton"),
        entry(5, "Lea Hough"),
        entry(6, "Lea Hough Chartered Surveyors"),
        entry(7, "Ralph Livesey Ltd"),
        entry(8, "Ralph Livesey, Brake Bros"),  # a joint award: another firm's name follows
        entry(9, "Brake Bros Limited"),
        entry(10, "Blackpool Council"),
        entry(11, "Blackpool Council Corporate Print Services"),  # a council's department
        entry(12, "Preston Cleaning", "PR1 2HE"),
        entry(13, "Preston Cleaning Co-operative", "PR2 9HT"),  # two places: two firms
        entry(14, "A B Smith"),  # too short a name to be sure of
        entry(15, "A B Smith Roofing"),
    ])
    assert {(p.first, p.second) for p in pairs} == {(1, 2), (3, 4), (5, 6)}
    # ... and in a ranking, the longer name points to the first listing of the firm.
    ranked = [entry(3, "Beever and Struthers Chartered Accountants and Business Advisors"),
              entry(7, "Ribble Accountancy Co-operative"),
              entry(9, "Beever and Struthers")]
    assert repeats(ranked) == {9: 3}
    # Bodies are not: "NHS England North West" is a team of NHS England's, not the same body.
    bodies = [entry(1, "NHS England"), entry(2, "NHS England North West")]
    assert likely_same_bodies(bodies, places=lambda name: set()) == []


def test_different_places_or_registration_numbers_tell_suppliers_apart():
    pairs = likely_duplicates([
        entry(1, "Workington Royal British Legion Club", "CA14 3DS"),
        entry(2, "Harrington Royal British Legion Club", "CA14 5JU"),  # two clubs
        entry(3, "Brake Bros Limited", None, "00123456"),
        entry(4, "Brakes Bros Limited", None, "09999999"),  # two companies
        entry(5, "Rentokil Initial", "SL1 4AB"),
        entry(6, "Rentokil Initial UK Ltd", None),  # one place unknown: may be one firm
        entry(7, "Balmers Garden Machinery", "PR3 1AA"),
        entry(8, "Balmer Garden Machinery", "PR3 1AA"),  # the same place
        entry(9, "Alt Housing Co-operative", "L8 3TX"),
        entry(10, "Alt Housing Co-op", "M13 0GE"),  # one name at two addresses: may be one
        entry(11, "T21 Housing Co-operative", "L8 3TX"),  # two co-ops run from one office
    ])
    assert {(p.first, p.second) for p in pairs} == {(5, 6), (7, 8), (9, 10)}


def test_short_names_are_left_alone_and_the_list_is_capped():
    assert likely_duplicates([entry(1, "ABC"), entry(2, "ABC Ltd")]) == []
    many = [entry(i, "Lancashire Joinery Services") for i in range(20)]
    assert len(likely_duplicates(many, limit=7)) == 7


def test_a_ranking_points_each_repeat_to_the_first_listing_of_its_firm():
    ranked = [
        entry(1, "APF Renovations"),
        entry(2, "NI Constructions (NW) Ltd"),
        entry(3, "NI Construction"),  # 3 and 4 each repeat 2, the first listing
        entry(9, "WRPS Group"),
        entry(4, "NI Construction (NW) Ltd"),
        entry(5, "APF Renovation"),
        entry(2, "NI Constructions (NW) Ltd"),  # the same supplier again, for another lot
        entry(6, "Brakes Bros Limited", None, "09999999"),
        entry(7, "Brake Bros Limited", None, "00123456"),  # two companies
    ]
    assert repeats(ranked) == {3: 2, 4: 2, 5: 1}
    assert repeats(ranked[:1]) == {} and repeats([]) == {}
    # Pairs a person judged to be two are not repeats; the others stand.
    assert repeats(ranked, apart={(1, 5), (2, 3)}) == {4: 2}
    assert repeats(ranked, apart={(1, 5), (2, 3), (2, 4)}) == {4: 3}
    assert repeats(ranked, apart={(1, 5), (2, 3), (2, 4), (3, 4)}) == {}


def test_a_typo_in_every_word_pairs_in_a_ranking_and_in_a_large_register():
    # No letters in common at the start of the name or of its last word: the blocks that
    # find "Paydale"/"Playdale" do not meet; the words' initials do.
    ranked = [entry(1, "Drasco Costuction Ltd"), entry(2, "Preston Parks Co-op"),
              entry(3, "Dasco Construction Ltd")]
    assert repeats(ranked) == {3: 1}
    register = [entry(100 + i, f"{sha1(str(i).encode()).hexdigest()[:12]} Supplies Ltd")
                for i in range(600)]  # unlike names
    assert len(register) > 500  # compared within blocks, not every pair
    register += [entry(1, "Drasco Costuction Ltd"), entry(3, "Dasco Construction Ltd"),
                 # Unlike names that share initials stay apart.
                 entry(4, "Dale Carpentry Ltd"), entry(5, "Dunmore Cleaning Ltd")]
    assert {(p.first, p.second) for p in likely_duplicates(register, limit=10_000)
            if p.first < 100} == {(1, 3)}


PLACES = {"sussex", "west", "east", "chichester", "chester", "england", "greater",
          "manchester", "hampshire"}


def test_one_body_named_two_ways_pairs_up_but_two_places_do_not():
    names = ["Department for Work and Pensions", "Department for Work and Pensions (DWP)",
             "West Sussex County Council", "East Sussex County Council",
             "University of Chichester", "University of Chester",
             "NHS West Hampshire Clinical Commissioning Group",
             "West Hampshire Clinical Commisioning Group",
             "Greater Manchester Health and Social Care Partnership",  # one adds a place only
             "NHS England Greater Manchester Health and Social Care Partnership"]
    pairs = likely_same_bodies([Entry(i, buyer_key(n)) for i, n in enumerate(names)],
                               lambda name: set(name.split()) & PLACES)
    assert {(p.first, p.second) for p in pairs} == {(0, 1), (6, 7), (8, 9)}
    assert all(p.score >= 90 for p in pairs)


def test_names_of_two_places_are_two_unless_one_only_adds_a_place():
    def places(name):
        return {w for w in name.split() if w in {"bedfordshire", "hertfordshire", "wales",
                                                 "derby"}}

    entries = [
        entry(1, "Police and Crime Commissioner for Bedfordshire"),
        entry(2, "Police and Crime Commissioner for Hertfordshire"),
        entry(3, "Police and Crime Commissioner for North Wales"),
        entry(4, "Police and Crime Commissioner for South Wales"),  # the compass tells too
        entry(5, "Motus Commercials"),
        entry(6, "Motus Commercials Derby"),  # a branch: may be the same firm
    ]
    assert {(p.first, p.second) for p in likely_duplicates(entries, places=places)} == {(5, 6)}
    assert {(1, 2), (3, 4)} <= {(p.first, p.second) for p in likely_duplicates(entries)}

