"""TF-IDF text features over words and character n-grams, fitted fast at register scale.

A document (a supplier profile or an open tender) is made of text units: its name, its own
description and the titles and descriptions of contracts. Each unit is tokenised once, in one
vectorised pass over the whole corpus; word and bigram counts per document are sums of unit
counts (a sparse product), and the per-contract vectors used for track record come from the same
counts. Character n-grams are taken within words (scikit-learn's ``char_wb``) over the short units
only (names, own descriptions, titles), where spelling variants and word forms matter most: the
n-gram counts of a document are its word counts times a word -> n-gram matrix, so each distinct
word is cut into n-grams once. The fitted vectorizers are plain scikit-learn ``CountVectorizer``
and ``TfidfTransformer`` objects with fixed vocabularies, so a query is transformed by exactly
the analysis that built the index.
"""

import html
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from functools import lru_cache
from itertools import count

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    TfidfTransformer,
)
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

_TOKEN = re.compile(r"[a-z][a-z0-9]+")
# Words every notice uses, which say nothing about the work itself.
_BOILERPLATE = {
    "tender",
    "tenders",
    "contract",
    "contracts",
    "contractor",
    "provision",
    "provide",
    "lot",
    "lots",
    "framework",
    "agreement",
    # How it is bought, as "framework" above (and "dynamic purchasing system": see `_lower`).
    "dps",
    "procurement",
    "requirement",
    "requirements",
    "ltd",
    "limited",
    "plc",
    "llp",
    "please",
    "notice",
    "award",
    "awarded",
    "opportunity",
    "bidders",
    "com",
    "www",
    "http",
    "https",
    "uk",
    "gov",
    # The demo's own records are labelled "(demo)": it never says what the work is.
    "demo",
    # How often the work is done, not what it is ("daily cleaning"; Iveco's "Daily" is a van).
    "daily", "weekly", "fortnightly", "monthly", "quarterly", "annually", "annual", "yearly",
}
# Words in scikit-learn's English list that name work a notice may be about: "fire alarms",
# "heating system", "empty homes", "shop front", "back office". (Its own documentation warns the
# list has known issues.)
_CONTENT_WORDS = {
    "back", "bill", "bottom", "empty", "fire", "front", "mill", "move", "side", "system",
    "thick", "thin", "top",
}
_ENGLISH = ENGLISH_STOP_WORDS - _CONTENT_WORDS
STOP_WORDS = frozenset(_ENGLISH | _BOILERPLATE)
CHAR_NGRAMS = (3, 5)
CHAR_SAMPLE_DOCS = 20_000  # documents sampled to find the n-grams too common to keep
SAMPLE_MARGIN = 1.5  # drop early only what is clearly over max_df in the sample
# Characters of a tender's description that count as "short" text for character n-grams.
SHORT_DESCRIPTION_CHARS = 300
# Keywords: BM25 over single words, a second reading of the same counts that saturates repeated
# words and only mildly penalises a long history (b), where cosine divides by its full length.
# bench/match_quality.py: flat for k1 0.6-1.2 and b 0.3-0.5; the bm25s defaults (1.5, 0.75) do
# worse here.
KEYWORD_K1 = 1.2
KEYWORD_B = 0.4
# A query's keyword scores are divided by half the most any document could score on its words
# and capped at 1: an absolute scale (a view scores as the whole index does). Relative to the
# register's best instead ranks about 0.002 MRR better, but would differ between views.
KEYWORD_SCALE = 2.0
# Words in more than this share of documents are left out of keywords: they rank little (low
# idf) but their long postings would double the cost of a query at register scale.
KEYWORD_MAX_DF = 0.1
# Title keywords: the same BM25 over the headlines of a profile alone (its contracts' titles and
# the start of its capabilities), read against a tender's title; a title names the work where a
# description also says how it is bought. They count this share beside the whole-text keywords.
TITLE_KEYWORD_SHARE = 0.5


_COMBINING = re.compile("[\u0300-\u036f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def fold(text: str) -> str:
    """Return text with accents taken off ("café" -> "cafe"), Unicode hyphens read as "-" and
    other non-ASCII characters (dashes, curly quotes) as spaces, so that words are not cut at
    them."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text).replace("\u2010", "-")  # NFKD: U+2011 -> U+2010
    return _NON_ASCII.sub(" ", _COMBINING.sub("", text))


_IT = re.compile(r"\bIT\b")


def clean(text: str | None) -> str:
    """Unescape HTML entities (Contracts Finder keeps them), fold accents, lower-case and join
    prefixes to their words (see `join_prefixes`).

    "IT" in mixed-case text is read as "information technology": lower-cased, it would be the
    stop word "it", and "IT support" would match on "support" alone. In text in capitals
    throughout it is left alone, since there it may be the pronoun.
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    return _lower(trade_it(text))


def _lower(text: str) -> str:
    """Fold, lower-case and join prefixes: what `clean` and the corpus tokeniser both do after
    reading "IT" and unescaping, so that a query's words are the index's.

    "Dynamic purchasing system" is dropped: it says how the work is bought, not what it is. A
    taxi DPS had ranked first the demolition and surfacing firms that had won works DPSs. A
    "heating system", "dynamic signage" or a "purchasing card" keep their words."""
    text = join_spaced_in_house(join_spaced_co(join_prefixes(fold(text).lower())))
    if "dynamic purchasing" in text:
        text = _DPS_PHRASE.sub(" ", text)
    return text


# Cut short by its source too ("intends to operate a dynamic purchasing s").
_DPS_PHRASE = re.compile(r"dynamic purchasing(?: systems?\b)?")


# "co" written apart from a word in o- ("co op", "co operative", "co ordinator"): "co" is a stop
# word, so apart it would leave "op" or "operative" (a site operative). Not after "&" ("Smith &
# Co operate"), where it is the company.
_SPACED_CO = re.compile(r"(?<![\w&])(?<!& )co (?=o[a-z])")


def join_spaced_co(text: str) -> str:
    """Return lower-case text with "co" written apart joined to a word in o- as it is when
    hyphened: "co op" -> "coop", "co operative" -> "cooperative"."""
    return _join_spaced(text, "co o", 2, _co_joins)


def _co_joins(text: str, at: int) -> bool:
    """Whether the "co o" at `at` is "co" apart from a word in o- (`_SPACED_CO`'s test)."""
    before = text[at - 1] if at else " "
    return (not (before.isalnum() or before in "_&") and text[max(at - 2, 0):at] != "& "
            and text[at + 4 : at + 5].isalpha() and text[at + 4 : at + 5].isascii())


def _join_spaced(text: str, needle: str, cut: int, joins) -> str:
    """Return text with the space at `cut` in each `needle` that `joins(text, at)` accepts taken
    out. Found with str.find, not a pattern: on the register's text, joined into chunks of
    millions of characters at a build, a pattern that opens with a look-behind is tried at
    every character, and took seconds."""
    at = text.find(needle)
    if at < 0:
        return text
    pieces, last = [], 0
    while at >= 0:
        if joins(text, at):
            pieces.append(text[last : at + cut])
            last = at + cut + 1
        at = text.find(needle, at + 1)
    pieces.append(text[last:])
    return "".join(pieces)


# "in house" written apart ("catering provided in house"): "in" is a stop word, so apart it would
# leave "house", and in-house catering would match housing.
_SPACED_IN_HOUSE = re.compile(r"(?<![\w-])in (?=house\b)")


def join_spaced_in_house(text: str) -> str:
    """Return lower-case text with "in house" joined as it is when hyphened: "inhouse"."""
    return _join_spaced(text, "in house", 2, _in_house_joins)


def _in_house_joins(text: str, at: int) -> bool:
    """Whether the "in house" at `at` is "in house" apart (`_SPACED_IN_HOUSE`'s test)."""
    before = text[at - 1] if at else " "
    after = text[at + 8 : at + 9] or " "
    return not (before.isalnum() or before in "_-") and not (after.isalnum() or after == "_")


_HYPHEN = re.compile(r"-(?<=[a-z]-)(?=[a-z])")  # a hyphen between letters
# A hyphenated prefix that is a stop word, or a single letter, is joined to its word. "re-"
# is not: "re-roofing" is roofing work, and is matched as "roofing".
_JOINED_PREFIXES = _ENGLISH - {"re"}


def join_prefixes(text: str) -> str:
    """Return lower-case text with a stop word or a letter hyphened to a word joined to it:
    "co-operative" -> "cooperative", "co-op" -> "coop", "in-house" -> "inhouse", "on-site" ->
    "onsite", "well-being" -> "wellbeing", "e-learning" -> "elearning", "x-ray" -> "xray".

    Split at the hyphen, the prefix was dropped as a stop word (or as too short) and the rest
    matched as a word of its own: "co-operative" as "operative" (a site operative), "in-house"
    as "house". Joined, "co-operative" and "cooperative" are one word. Only two-part words are
    joined: in "home-to-school" or "out-of-hours" the parts are words of their own.
    """
    if "-" not in text:
        return text
    pieces, last = [], 0
    for _, at, _ in _joins(text):
        pieces.append(text[last:at])
        last = at + 1
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _joins(text: str):
    """Yield (start, hyphen, stop) of each two-part word in lower-case text that
    `join_prefixes` joins."""
    end = len(text)
    for hyphen in _HYPHEN.finditer(text):
        at = hyphen.start()
        start = at - 1
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        before = text[max(start - 2, 0) : start]
        if before[-1:].isalnum() or (before[-1:] == "-" and before[:1].isalpha()):
            continue  # the prefix is part of a longer word, or of a chain
        stop = at + 2
        while stop < end and text[stop].isalpha():
            stop += 1
        after = text[stop : stop + 2]
        if after[:1].isalnum() or (after[:1] == "-" and after[1:].isalpha()):
            continue
        prefix = text[start:at]
        if len(prefix) == 1 or prefix in _JOINED_PREFIXES:
            yield start, at, stop


def hyphen_spellings(*texts: str | None) -> dict[str, str]:
    """Return how texts write the words `join_prefixes`, `join_spaced_co` and
    `join_spaced_in_house` joined:
    {"inhouse": "in-house", "coop": "co-op"}, the first spelling of each. A shared key term is
    shown as the text writes it, not as matching reads it."""
    spellings: dict[str, str] = {}
    for text in texts:
        low = fold(text or "").lower()
        if "-" in low:
            for start, at, stop in _joins(low):
                spellings.setdefault(low[start:at] + low[at + 1 : stop], low[start:stop])
        if "co o" in low:
            for found in _SPACED_CO.finditer(low):
                word = _TOKEN.match(low, found.end())
                spellings.setdefault("co" + word.group(), "co " + word.group())
        if "in house" in low and _SPACED_IN_HOUSE.search(low):
            spellings.setdefault("inhouse", "in house")
    return spellings


def spelled(term: str, spellings: Mapping[str, str]) -> str:
    """Return a term (a word or a pair) with its joined words written as `spellings` has them."""
    if not spellings:
        return term
    return " ".join(spellings.get(word, word) for word in term.split())


def trade_it(text: str) -> str:
    """Return text with "IT" read as "information technology", unless the text is in capitals
    throughout (see `clean`)."""
    if "IT" in text and not text.isupper():
        return _IT.sub("information technology", text)
    return text


def word_tokens(text: str | None) -> list[str]:
    """Return the content words of a text, in order, stop words removed."""
    return [t for t in _TOKEN.findall(clean(text)) if t not in STOP_WORDS]


@lru_cache(maxsize=1 << 16)  # a register's statements share most of their words
def singular(word: str) -> str | None:
    """The singular of a regular plural ("cafes" -> "cafe", "nurseries" -> "nursery",
    "lunches" -> "lunch"); None for a word that is not one, or ends in -ss, -us or -is (glass,
    bus, analysis), which the rules would break."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return None
    if not word.isalpha():
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def singulars(text: str | None) -> str:
    """Return the singulars of a supplier's statement's plurals, in order, each once:
    "community cafes and school meals" -> "cafe meal".

    A statement is short and written once, by the supplier: matched as written, its "cafes"
    missed a tender's "cafe" (only character n-grams bridged them) and was not shown as a
    shared term. Only plurals gain a form: a statement's singular "school" counted also as
    "schools" would match a tender saying both twice over. Contracts' and notices' texts are
    not varied: folding plurals throughout ranked real winners no better
    (bench/match_quality.py: 1.259 against 1.267), and a statement's singulars cost the
    ranking nothing where no statement is given.
    """
    seen, out = set(), []
    for word in word_tokens(text):
        other = singular(word)
        if other and other not in seen and other not in STOP_WORDS:
            seen.add(other)
            out.append(other)
    return " ".join(out)


def analyse_words(text: str | None) -> list[str]:
    """Return unigrams and bigrams: the word analyzer of the fitted CountVectorizer."""
    tokens = word_tokens(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


_PIECES = re.compile(r"[a-z][a-z0-9]+|[.,;:!?()\[\]{}&+|\"*]")  # words, and what ends a phrase


def phrases_not_written(text: str | None) -> frozenset[str]:
    """Return the word pairs the analyser forms from a text that the text does not write:
    pairs across a stop word ("complement our teams" -> "complement teams") or punctuation
    ("meals, cleaning" -> "meals cleaning"). They count in the score, as every pair does, but
    are not shown to a reader as a phrase the text shares."""
    written, formed = set(), set()
    last, broken = None, False
    for piece in _PIECES.findall(clean(text)):
        if len(piece) == 1 or piece in STOP_WORDS:  # punctuation, or a stop word
            broken = True
            continue
        if last is not None:
            (formed if broken else written).add(f"{last} {piece}")
        last, broken = piece, False
    return frozenset(formed - written)


# A street's name: one or two capitalised words before a word that can only say it is a street
# ("Close", "Drive", "Way" and "Gardens" are words of the work as often).
_STREET = re.compile(
    r"\b((?:[A-Z][A-Za-z']+ ){1,2})(Road|Street|Lane|Avenue|Crescent|Terrace|Mews|ROAD|STREET|"
    r"LANE|AVENUE|CRESCENT|TERRACE|MEWS)\b"
)


def street_names(text: str | None) -> frozenset[str]:
    """Return the terms of the street names a text writes ("Seven Stars Road" -> "seven
    stars", "stars road", and "seven", "stars" and "road" where the text uses them nowhere
    else): an address, not the work. A word the text also uses outside its streets stays a word
    ("Fire station at Station Road" keeps "station"; "road resurfacing at Mill Road" keeps
    "road")."""
    if not text or not _STREET.search(text):
        return frozenset()
    folded = fold(text)
    found, inside = set(), Counter()
    for match in _STREET.finditer(folded):
        name = []
        for word in reversed(_TOKEN.findall(_lower(match.group(1)))):
            if word in STOP_WORDS:
                break  # "Works To The Road": "The" is no street's name
            name.insert(0, word)
        if not name:
            continue
        words = name + [match.group(2).lower()]
        found.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
        inside.update(words)
    everywhere = Counter(_TOKEN.findall(_lower(folded)))
    found.update(word for word, n in inside.items() if everywhere[word] <= n)
    return frozenset(found)


def short_text(title: str | None, description: str | None) -> str:
    """Return the short part of a notice: its title and the start of its description."""
    return f"{title or ''} {(description or '')[:SHORT_DESCRIPTION_CHARS]}"


_CORPUS_TOKEN = re.compile(r"[a-z][a-z0-9]+|\x00")
_CHUNK = 20_000  # units per tokenising pass: bounds the memory of the token lists


def _tokenise_corpus(texts: list[str]):
    """Tokenise texts in one vectorised pass: word ids, the text each token is in, the words.

    Units are joined with a NUL separator and tokenised a chunk at a time, so there is one
    regular-expression call per chunk rather than per text; stop words are dropped by id.
    """
    index: defaultdict[str, int] = defaultdict(count().__next__)
    sentinel = index["\x00"]
    id_parts, owner_parts = [], []
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start : start + _CHUNK]
        joined = "\x00".join(trade_it(t.replace("\x00", " ")) if t else "" for t in chunk)
        if "&" in joined:
            joined = html.unescape(html.unescape(joined))
        tokens = _CORPUS_TOKEN.findall(_lower(joined))
        ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int32, count=len(tokens))
        del tokens
        is_sentinel = ids == sentinel
        owner = (np.cumsum(is_sentinel, dtype=np.int32) + start)[~is_sentinel]
        id_parts.append(ids[~is_sentinel])
        owner_parts.append(owner)
    words = list(index)
    stop = np.fromiter((w in STOP_WORDS or w == "\x00" for w in words), dtype=bool)
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int32)
    owner = np.concatenate(owner_parts) if owner_parts else np.zeros(0, dtype=np.int32)
    content = ~stop[ids]
    return ids[content], owner[content], words


def _count_matrix(rows, cols, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Return a rows x cols count matrix from one (row, col) pair per occurrence."""
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(n_rows, n_cols), dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _group_matrix(groups: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Return the group x unit 0/1 matrix for units labelled with their group (-1: none)."""
    units = np.flatnonzero(groups >= 0)
    data = np.ones(len(units), dtype=np.float32)
    return sp.csr_matrix(
        (data, (groups[units], units)), shape=(n_groups, len(groups)), dtype=np.float32
    )


def _document_frequency(matrix: sp.csr_matrix) -> np.ndarray:
    return np.bincount(matrix.indices, minlength=matrix.shape[1])


def _limits(n_docs: int) -> tuple[int, float]:
    """Return (min_df for bigrams and n-grams, max_df): lenient for small registers."""
    min_df = 2 if n_docs >= 1000 else 1
    max_df = 0.5 if n_docs >= 200 else 1.0
    return min_df, max_df


class TextModel:
    """Fitted word and character TF-IDF vectorizers for one kind of document."""

    def __init__(self, char_max_df: float = 0.05):
        self.char_max_df = char_max_df
        self.words: CountVectorizer | None = None
        self.word_idf: TfidfTransformer | None = None
        self.chars: CountVectorizer | None = None
        self.char_idf: TfidfTransformer | None = None
        self.keyword_idf: np.ndarray | None = None  # BM25 idf per word feature (0: bigrams)
        self.keyword_length = 1.0  # the mean document length in words, for BM25
        self.title_idf: np.ndarray | None = None  # the same over the profiles' headlines
        self.title_length = 1.0
        self._terms: np.ndarray | None = None
        # Names one fit: what was read with its vocabulary is only valid beside the same fit.
        self.fit_id: str | None = None

    # --- fitting -----------------------------------------------------------------------------

    def fit(
        self,
        units: list[str],
        owner: np.ndarray,
        short: np.ndarray,
        n_docs: int,
        award_of_unit: np.ndarray | None = None,
        n_awards: int = 0,
        in_keywords: np.ndarray | None = None,
        in_titles: np.ndarray | None = None,
    ):
        """Fit on text units; return doc x words, doc x chars and award x words TF-IDF matrices
        and the doc x words keyword and title keyword (BM25) matrices.

        ``owner[i]`` is the document of unit i, ``short[i]`` whether it also feeds character
        n-grams, ``award_of_unit[i]`` the past contract it belongs to (-1 for none),
        ``in_keywords[i]`` whether it counts for keywords (default: every unit) and
        ``in_titles[i]`` whether it is a headline, for title keywords (default: none).
        """
        self.fit_id = uuid.uuid4().hex
        owner = np.asarray(owner, dtype=np.int64)
        short = np.asarray(short, dtype=bool)
        if award_of_unit is None:
            award_of_unit = np.full(len(units), -1)
        award_of_unit = np.asarray(award_of_unit, dtype=np.int64)
        ids, unit, words = _tokenise_corpus(units)
        n_words = max(len(words), 1)
        # Bigrams join neighbouring content words of the same unit, as sklearn's n-grams do.
        same = unit[1:] == unit[:-1]
        keys = ids[:-1][same].astype(np.int64) * n_words + ids[1:][same]
        bigram_keys, bigram_ids = np.unique(keys, return_inverse=True)
        n_features = n_words + len(bigram_keys)
        index_type = _index_type(n_features)  # int32 halves a register's build
        features = np.concatenate([ids.astype(index_type), (n_words + bigram_ids.ravel())
                                   .astype(index_type)])
        feature_unit = np.concatenate([unit, unit[1:][same]])
        del keys, bigram_ids
        doc_counts = _count_matrix(owner[feature_unit], features, n_docs, n_features)

        min_df, max_df = _limits(n_docs)
        df = _document_frequency(doc_counts)
        is_word = np.arange(n_features) < n_words
        keep = (df >= 1) & (is_word | (df >= min_df)) & (df <= max(1.0, max_df * n_docs))
        kept = np.flatnonzero(keep)
        first, second = divmod(bigram_keys, n_words)
        names = [
            words[i] if i < n_words else f"{words[first[i - n_words]]} {words[second[i - n_words]]}"
            for i in kept.tolist()
        ]
        if not names:
            names, kept = ["__empty__"], np.zeros(0, dtype=np.int64)
        self.words = CountVectorizer(
            analyzer=analyse_words,
            vocabulary={name: i for i, name in enumerate(names)},
            dtype=np.float32,
        )
        doc_words = _columns(doc_counts, kept, len(names))
        del doc_counts
        self.word_idf = _fit_idf(doc_words)
        word_matrix = self._weigh(self.word_idf, doc_words)
        self._terms = None

        def single_words_of(in_units) -> sp.csr_matrix:
            """Return doc x words counts of the single words in the chosen units only."""
            chosen = np.asarray(in_units, dtype=bool)[unit]
            counts = _count_matrix(
                owner[unit[chosen]], ids[chosen].astype(np.int64), n_docs, n_features
            )
            return _columns(counts, kept, len(names))

        single = np.ones(len(names), dtype=bool)  # which features are single words
        single[: len(kept)] = kept < n_words
        if in_keywords is not None:
            doc_words = single_words_of(in_keywords)
        keyword_matrix = self._fit_keywords(doc_words, single)
        del doc_words
        in_titles = np.zeros(len(units), dtype=bool) if in_titles is None else in_titles
        title_matrix = self._fit_titles(single_words_of(in_titles), single)

        award_matrix = None
        if n_awards:
            # Counted straight into the kept columns, each temporary freed once used: at
            # register scale this was the build's peak of memory.
            column = _column_map(n_features, kept, index_type)[features]
            award = award_of_unit[feature_unit]
            chosen = (award >= 0) & (column >= 0)
            award, column = award[chosen], column[chosen]
            del chosen
            award_counts = _count_matrix(award, column, n_awards, len(names))
            del award, column
            award_matrix = self._weigh(self.word_idf, award_counts, copy=False)
            del award_counts
        del features, feature_unit

        in_short = short[unit]
        doc_unigrams = _count_matrix(owner[unit[in_short]], ids[in_short], n_docs, n_words)
        ids = unit = in_short = None  # the corpus's tokens: not needed for the n-grams
        char_matrix = self._fit_chars(doc_unigrams, words, n_docs)
        return word_matrix, char_matrix, award_matrix, keyword_matrix, title_matrix

    def _fit_keywords(self, doc_words: sp.csr_matrix, single: np.ndarray) -> sp.csr_matrix:
        """Fit BM25 over the single-word features; return the documents' keyword weights."""
        self.keyword_idf, self.keyword_length = _fit_bm25(doc_words, single)
        return self._keyword_weigh(doc_words)

    def _fit_titles(self, doc_words: sp.csr_matrix, single: np.ndarray) -> sp.csr_matrix:
        """Fit BM25 over the headlines' single words; return the documents' title weights."""
        self.title_idf, self.title_length = _fit_bm25(doc_words, single)
        return self._title_weigh(doc_words)

    def _keyword_weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return _bm25_weigh(counts, self.keyword_idf, self.keyword_length)

    def _title_weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return _bm25_weigh(counts, self.title_idf, self.title_length)

    def _fit_chars(self, doc_unigrams, words, n_docs) -> sp.csr_matrix:
        used = np.flatnonzero(_document_frequency(doc_unigrams) > 0)
        cutter = CountVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False, dtype=np.float32
        )
        max_df = self.char_max_df if n_docs >= 200 else 1.0
        if len(used):
            ngrams_of_word = cutter.fit_transform([words[i] for i in used.tolist()]).tocsc()
            doc_unigrams = doc_unigrams[:, used]
            # The commonest n-grams hold most of the entries but will be dropped (max_df):
            # find them on a sample first so the full product never holds them.
            sample = doc_unigrams[:: max(1, n_docs // CHAR_SAMPLE_DOCS)]
            sample_df = _document_frequency((sample @ ngrams_of_word).tocsr())
            common = sample_df > SAMPLE_MARGIN * max_df * sample.shape[0]
            if common.any() and max_df < 1.0:
                ngrams_of_word = ngrams_of_word @ sp.diags((~common).astype(np.float32))
                ngrams_of_word.eliminate_zeros()
            doc_ngrams = (doc_unigrams @ ngrams_of_word.tocsr()).tocsr()
            vocabulary = cutter.vocabulary_
        else:
            doc_ngrams, vocabulary = sp.csr_matrix((n_docs, 1), dtype=np.float32), {"   ": 0}
        min_df, _ = _limits(n_docs)
        df = _document_frequency(doc_ngrams)
        keep = np.flatnonzero((df >= min_df) & (df <= max(1.0, max_df * n_docs)))
        if not len(keep):
            keep = np.array([0])
        old_names = np.empty(len(vocabulary), dtype=object)
        for name, i in vocabulary.items():
            old_names[i] = name
        self.chars = CountVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            lowercase=False,
            vocabulary={name: i for i, name in enumerate(old_names[keep].tolist())},
            dtype=np.float32,
        )
        doc_chars = _columns(doc_ngrams, keep, len(keep))
        del doc_ngrams
        self.char_idf = _fit_idf(doc_chars)
        return self._weigh(self.char_idf, doc_chars, copy=False)

    @staticmethod
    def _weigh(idf: TfidfTransformer, counts: sp.csr_matrix, copy: bool = True) -> sp.csr_matrix:
        """Apply the fitted transformer: what idf.transform does, without its per-call checks.

        Sublinear tf (1 + log tf), times the fitted idf, rows scaled to unit length; a query
        is weighed in well under a millisecond this way. With copy=False, float32 counts are
        weighed in place (a register's matrices are weighed without a second copy).
        """
        matrix = sp.csr_matrix(counts, dtype=np.float32, copy=copy)
        matrix.sum_duplicates()
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix.data *= idf.idf_.astype(np.float32)[matrix.indices]
        inplace_csr_row_normalize_l2(matrix)  # no temporaries the size of the matrix
        return matrix

    # --- transforming ------------------------------------------------------------------------

    def count_words(self, texts: list[str]) -> sp.csr_matrix:
        """Return the word and bigram counts of texts (for transform_words and keywords)."""
        return _count(texts, self.words)

    def transform_words(self, texts: list[str], counts: sp.csr_matrix | None = None):
        """Return word TF-IDF rows for long texts (whole notices, whole profiles)."""
        return self._weigh(self.word_idf, _count(texts, self.words) if counts is None else counts)

    def transform_keywords(self, texts: list[str], counts: sp.csr_matrix | None = None):
        """Return queries' single-word counts, for BM25 against the keyword matrix."""
        counts = _count(texts, self.words) if counts is None else counts.copy()
        counts.data *= (self.keyword_idf > 0)[counts.indices]
        counts.eliminate_zeros()
        return counts

    def transform_titles(self, texts: list[str], counts: sp.csr_matrix | None = None):
        """Return queries' title words (each once), for BM25 against the title matrix."""
        counts = _count(texts, self.words) if counts is None else counts.copy()
        counts.data = (self.title_idf[counts.indices] > 0).astype(np.float32)
        counts.eliminate_zeros()
        return counts

    def transform_chars(self, texts: list[str]) -> sp.csr_matrix:
        """Return character n-gram TF-IDF rows for short texts (titles, names)."""
        joined = [" ".join(word_tokens(t)) for t in texts]
        return self._weigh(self.char_idf, _count(joined, self.chars))

    def transform_documents(
        self,
        units,
        owner,
        short,
        n_docs,
        award_of_unit=None,
        n_awards=0,
        in_keywords=None,
        in_titles=None,
    ):
        """Transform new documents' units with the fitted vocabularies (incremental updates).

        Returns what `fit` does; idf and the mean length stay as fitted.
        """
        owner = np.asarray(owner, dtype=np.int64)
        short_owner = np.where(np.asarray(short, dtype=bool), owner, -1)
        counts = self.words.transform(units)

        def counts_of(in_units=None) -> sp.csr_matrix:
            """Return doc x words counts of the chosen units (default: all)."""
            chosen = owner if in_units is None else np.where(np.asarray(in_units, bool), owner, -1)
            return _group_matrix(chosen, n_docs) @ counts

        doc_counts = counts_of()
        doc_words = self._weigh(self.word_idf, doc_counts)
        keywords = self._keyword_weigh(
            doc_counts if in_keywords is None else counts_of(in_keywords)
        )
        in_titles = np.zeros(len(units), dtype=bool) if in_titles is None else in_titles
        titles = self._title_weigh(counts_of(in_titles))
        chars = self.chars.transform([" ".join(word_tokens(u)) for u in units])
        doc_chars = self._weigh(self.char_idf, _group_matrix(short_owner, n_docs) @ chars)
        awards = None
        if award_of_unit is not None and n_awards:
            group = _group_matrix(np.asarray(award_of_unit, dtype=np.int64), n_awards)
            awards = self._weigh(self.word_idf, group @ counts)
        return doc_words, doc_chars, awards, keywords, titles

    @property
    def terms(self) -> np.ndarray:
        """Return the word features' names by column."""
        if self._terms is None:
            terms = np.empty(len(self.words.vocabulary), dtype=object)
            for name, i in self.words.vocabulary.items():
                terms[i] = name
            self._terms = terms
        return self._terms

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_terms"] = None
        return state


def _fit_bm25(doc_words: sp.csr_matrix, single: np.ndarray) -> tuple[np.ndarray, float]:
    """Return BM25 idf per feature (0 for word pairs and very common words) and mean length."""
    n = doc_words.shape[0]
    df = _document_frequency(doc_words)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    idf[~single | (df == 0)] = 0.0  # a word no document has here cannot be matched
    if n >= 200:  # a small register keeps every word
        idf[df > KEYWORD_MAX_DF * n] = 0.0
    # A document's length counts the words kept, as _bm25_weigh counts them.
    lengths = doc_words @ (idf > 0).astype(np.float32)
    mean = float(lengths.mean()) if n else 0.0
    return idf, mean if mean > 0 else 1.0


def _bm25_weigh(counts: sp.csr_matrix, idf: np.ndarray, mean_length: float) -> sp.csr_matrix:
    """Return BM25 document weights: idf x saturated term frequency, length-normalised."""
    matrix = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    matrix.sum_duplicates()
    lengths = matrix @ (idf > 0).astype(np.float32)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    k1, b = np.float32(KEYWORD_K1), np.float32(KEYWORD_B)
    norm = k1 * (1 - b + b * lengths[rows] / np.float32(mean_length))
    tf = matrix.data
    matrix.data = idf[matrix.indices] * tf * (k1 + 1) / (tf + norm)
    matrix.eliminate_zeros()
    return matrix


def _fit_idf(counts: sp.csr_matrix) -> TfidfTransformer:
    """Fit inverse document frequencies (on one empty row when there are no documents)."""
    if counts.shape[0] == 0:
        counts = sp.csr_matrix((1, counts.shape[1]), dtype=np.float32)
    return TfidfTransformer(sublinear_tf=True).fit(counts)


def _count(texts: list[str], vectorizer: CountVectorizer) -> sp.csr_matrix:
    """Count vocabulary terms as vectorizer.transform does, without its per-call checks."""
    analyse = vectorizer.__dict__.get("_coopmatch_analyser")
    if analyse is None:
        analyse = vectorizer.__dict__["_coopmatch_analyser"] = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary
    rows, cols = [], []
    for i, text in enumerate(texts):
        found = [j for j in map(vocabulary.get, analyse(text)) if j is not None]
        rows.extend([i] * len(found))
        cols.extend(found)
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix(
        (data, (rows, cols)), shape=(len(texts), len(vocabulary)), dtype=np.float32
    )
    matrix.sum_duplicates()
    return matrix


def _index_type(*sizes: int):
    """Return int32 where every size fits in it, else int64."""
    return np.int32 if max(sizes) < 2**31 else np.int64


def _column_map(width: int, keep: np.ndarray, dtype) -> np.ndarray:
    """Return each of `width` columns' position among the kept columns, -1 where dropped."""
    mapping = np.full(width, -1, dtype=dtype)
    mapping[keep] = np.arange(len(keep), dtype=dtype)
    return mapping


def _columns(matrix: sp.csr_matrix, keep: np.ndarray, width: int) -> sp.csr_matrix:
    """Return the kept columns (sorted), renumbered 0..len(keep)-1, without a CSC copy."""
    matrix = matrix.tocsr()
    small = _index_type(matrix.shape[1], matrix.nnz)  # int32 halves the copies
    columns = _column_map(matrix.shape[1], keep, small)[matrix.indices]
    kept = columns >= 0
    indptr = np.concatenate([[0], np.cumsum(kept, dtype=small)])[matrix.indptr]
    return sp.csr_matrix(
        (matrix.data[kept], columns[kept].astype(np.int32, copy=False), indptr),
        shape=(matrix.shape[0], width),
        dtype=np.float32,
    )
