"""The fast corpus fit agrees with scikit-learn's own transform of the same texts."""

import numpy as np

from coopmatch.matching.text import TextModel, analyse_words

UNITS = [
    "Grounds maintenance &amp; grass cutting",
    "Grass cutting of verges; hedge trimming.",
    "School meals",
    "Hot school meals for primary schools",
    "Roof repairs",
    "Roofing and roof repairs to council buildings; IT cabling; co-op in-house fire alarm system",
]


def test_fast_fit_matches_the_fitted_vectorizers():
    owner = np.array([0, 0, 1, 1, 2, 2])
    short = np.array([True, False, True, False, True, False])
    model = TextModel()
    words, chars, awards, *_ = model.fit(UNITS, owner, short, 3, np.array([-1, 0, -1, 1, -1, 2]), 3)
    long_texts = [" \n ".join(UNITS[i] for i in np.flatnonzero(owner == d)) for d in range(3)]
    # Bigrams never span two units, so compare unit by unit for the awards.
    again = model.transform_words([UNITS[1], UNITS[3], UNITS[5]])
    assert np.allclose(awards.toarray(), again.toarray(), atol=1e-6)
    same_chars = model.transform_chars([UNITS[0], UNITS[2], UNITS[4]])
    assert np.allclose(chars.toarray(), same_chars.toarray(), atol=1e-6)
    assert words.shape[0] == 3 and len(long_texts) == 3
    assert "grass cutting" in model.words.vocabulary
    assert "&amp;" not in " ".join(model.words.vocabulary)
    assert "information technology" in model.words.vocabulary  # "IT", as queries read it
    # Prefixes joined, and scikit-learn's stop words that name work kept, as queries read them.
    assert {"coop inhouse", "fire alarm", "alarm system"} <= set(model.words.vocabulary)
    assert "house" not in model.words.vocabulary


def test_analyser_drops_stop_words_before_bigrams():
    assert analyse_words("Supply of the school meals") == [
        "supply",
        "school",
        "meals",
        "supply school",
        "school meals",
    ]


def test_weighing_agrees_with_the_fitted_transformer():
    model = TextModel()
    owner = np.array([0, 0, 1, 1, 2, 2])
    model.fit(UNITS, owner, np.ones(6, dtype=bool), 3)
    counts = model.words.transform(["Grass cutting, grass cutting and hedge trimming", ""])
    ours = TextModel._weigh(model.word_idf, counts).toarray()
    theirs = model.word_idf.transform(counts).toarray()
    assert np.allclose(ours, theirs, atol=1e-6)


def test_title_keywords_read_headlines_only_and_refit_as_transformed():
    owner = np.array([0, 0, 1, 1, 2, 2])
    short = np.array([True, False, True, False, True, False])
    headline = short.copy()  # the first unit of each document is its headline
    model = TextModel()
    *_, keywords, titles = model.fit(UNITS, owner, short, 3, in_titles=headline)
    terms = list(model.terms)
    # "hedge" is only in a description: a keyword, not a title keyword.
    hedge = terms.index("hedge")
    assert keywords[0, hedge] > 0 and titles[0, hedge] == 0
    assert titles[1, terms.index("school")] > 0
    *_, again = model.transform_documents(UNITS, owner, short, 3, in_titles=headline)
    assert np.allclose(titles.toarray(), again.toarray(), atol=1e-6)
    query = model.transform_titles(["Hedge cutting and school meals"])
    assert set(np.asarray(model.terms)[query.indices]) == {"cutting", "school", "meals"}


def test_accents_are_folded_and_dashes_split_words():
    from coopmatch.matching.text import word_tokens

    assert word_tokens("Café and décor—repairs") == ["cafe", "decor", "repairs"]
    assert word_tokens("Council’s naïve plan") == ["council", "naive", "plan"]


def test_a_statement_s_plurals_are_also_read_as_singulars():
    from coopmatch.matching.text import singulars

    said = "Community cafés, school meals and nurseries; lunches, boxes. Glass, bus, analysis."
    assert singulars(said).split() == ["cafe", "meal", "nursery", "lunch", "box"]
    assert singulars("School catering and cleaning") == ""  # singulars gain no plural
    assert singulars(None) == ""


def test_it_in_mixed_case_text_is_the_trade_not_the_pronoun():
    from coopmatch.matching.text import word_tokens

    assert word_tokens("IT support for schools") == ["information", "technology", "support",
                                                     "schools"]
    assert word_tokens("Repair it today") == ["repair", "today"]
    assert word_tokens("REPAIR IT TODAY") == ["repair", "today"]  # in capitals: no telling
    assert word_tokens("ITALIAN KITCHEN IT") == ["italian", "kitchen"]


def test_pairs_the_text_does_not_write_are_found():
    from coopmatch.matching.text import analyse_words, phrases_not_written

    text = "Cleaners to complement our teams; meals, cleaning. Grass-cutting"
    assert "complement teams" in analyse_words(text)  # formed across "our", so it scores
    assert phrases_not_written(text) == {"cleaners complement", "complement teams",
                                         "teams meals", "meals cleaning", "cleaning grass"}
    # Written somewhere as a phrase, a pair is shown wherever else it was formed.
    assert phrases_not_written("School meals. Meals for the school; school, meals") == {
        "meals meals", "meals school", "school school"}
    assert phrases_not_written("Council’s school meals") == frozenset()
    assert phrases_not_written(None) == frozenset()


def test_a_stop_word_or_letter_hyphened_to_a_word_is_joined_to_it():
    from coopmatch.matching.text import word_tokens

    assert word_tokens("Co-operative and co-op cafés run by a cooperative") == [
        "cooperative", "coop", "cafes", "run", "cooperative"]
    assert word_tokens("To complement in-house teams; on-site well-being") == [
        "complement", "inhouse", "teams", "onsite", "wellbeing"]
    assert word_tokens("E-learning and X-ray services") == ["elearning", "xray", "services"]
    # Unicode hyphens are hyphens; a hyphen left hanging does not make a chain.
    assert word_tokens("Co\u2011operative and co\u2010op; in-house- and on-site") == [
        "cooperative", "coop", "inhouse", "onsite"]
    # "re-" keeps its word; chains and other compounds are split as before.
    assert word_tokens("Re-roofing") == ["roofing"]
    assert word_tokens("Home-to-school transport, out-of-hours") == [
        "home", "school", "transport", "hours"]
    assert word_tokens("Grass-cutting, Covid-19, Stockton-on-Tees") == [
        "grass", "cutting", "covid", "stockton", "tees"]


def test_co_written_apart_is_joined_as_when_hyphened():
    from coopmatch.matching.text import hyphen_spellings, word_tokens

    # "co" is a stop word: apart, "co operative" was a (site) operative and "co op" an "op".
    assert word_tokens("A worker co op; Co Operative Group; co ordinator, co-owned") == [
        "worker", "coop", "cooperative", "group", "coordinator", "coowned"]
    # The company's "Co" is left alone, as are words that merely end in "co".
    assert word_tokens("Smith & Co operate vans; Tesco opens") == [
        "smith", "operate", "vans", "tesco", "opens"]
    assert hyphen_spellings("A worker Co op, a co-operative") == {
        "coop": "co op", "cooperative": "co-operative"}


def test_in_house_written_apart_is_one_word_as_hyphened():
    from coopmatch.matching.text import hyphen_spellings, spelled, word_tokens

    # Apart, "in" is a stop word and "house" would match housing.
    assert word_tokens("Catering delivered in house; an in-house team") == [
        "catering", "delivered", "inhouse", "inhouse", "team"]
    assert word_tokens("Families living in houses; a hen house; a write-in house") == [
        "families", "living", "houses", "hen", "house", "write", "house"]
    spellings = hyphen_spellings("Catering delivered In House")
    assert spelled("inhouse catering", spellings) == "in house catering"


def test_words_that_name_work_are_not_stop_words():
    from coopmatch.matching.text import word_tokens

    assert word_tokens("Fire alarm system for the shop front and back office") == [
        "fire", "alarm", "system", "shop", "front", "back", "office"]
    assert word_tokens("Empty homes; thin client") == ["empty", "homes", "thin", "client"]


def test_how_a_notice_is_bought_is_not_read_as_its_work():
    from coopmatch.matching.text import word_tokens

    assert word_tokens("Taxis: a Dynamic Purchasing System (DPS); dynamic purchasing systems") == [
        "taxis"]
    assert word_tokens("It intends to operate a dynamic purchasing s") == ["intends", "operate"]
    # The words of the work keep their meaning.
    assert word_tokens("Heating system, dynamic signage and purchasing cards") == [
        "heating", "system", "dynamic", "signage", "purchasing", "cards"]


def test_joined_words_are_spelled_as_the_text_writes_them():
    from coopmatch.matching.text import hyphen_spellings, spelled

    spellings = hyphen_spellings("Co-op cafés; In-House teams", None, "x\u2011ray, co-operative")
    assert spellings == {"coop": "co-op", "inhouse": "in-house", "xray": "x-ray",
                         "cooperative": "co-operative"}
    assert spelled("complement inhouse", spellings) == "complement in-house"
    assert spelled("income", spellings) == "income"  # never split from the word alone
    assert hyphen_spellings("Home-to-school transport; grass-cutting") == {}


def test_a_street_s_name_is_an_address_not_a_phrase_of_the_work():
    from coopmatch.matching.text import street_names

    assert street_names("Play area, Seven Stars Road, Leyland") == {
        "seven stars", "stars road", "seven", "stars", "road"}
    assert street_names("NEW PLAY AREA, SEVEN STARS ROAD") == {
        "seven stars", "stars road", "seven", "stars", "road"}
    assert street_names("Refurbishment of 9 Fir Street") == {"fir street", "fir", "street"}
    # A word used outside the street stays a word; lower-case roads and streets, and stop
    # words, name no street.
    assert street_names("Fire station at Station Road") == {"station road", "road"}
    assert street_names("Road resurfacing at Mill Road") == {"mill road", "mill"}
    assert street_names("Cleaning of the road and street lighting") == frozenset()
    assert street_names("Works To The Road; Community Gardens Close") == frozenset()
    assert street_names(None) == frozenset()


def test_spaced_joins_agree_with_their_patterns_at_the_edges():
    from coopmatch.matching.text import (
        _SPACED_CO,
        _SPACED_IN_HOUSE,
        join_spaced_co,
        join_spaced_in_house,
    )

    cases = ["co op", "in house", "(co operative", "& co op", "smith &co op", "2co op",
             "co o1", "-in house", "in house_", "in houses", "x in house, co ordinator\x00co op",
             "co oak in house"]
    for text in cases:
        assert join_spaced_co(text) == _SPACED_CO.sub("co", text), text
        assert join_spaced_in_house(text) == _SPACED_IN_HOUSE.sub("in", text), text
    assert join_spaced_co("co op") == "coop" and join_spaced_in_house("in house") == "inhouse"
