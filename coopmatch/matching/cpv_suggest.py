"""Suggest CPV codes for free text, learnt from the CPV vocabulary and from awarded notices.

Each code is a TF-IDF centroid (stemmed words and character n-grams) of its own description, its
ancestors' descriptions and the texts of notices classified under it. A query is scored by
cosine against every centroid (one sparse product), plus the votes of the most similar past
notices for their own codes (a notice like this one was coded so), and the leading candidates
are re-scored with rapidfuzz against the codes' short descriptions, where a near-exact phrase
("grounds maintenance") should win. Confidence is the share of the candidates' softmax mass.

On 2,057 real coded notices (bench/cpv_suggest_quality.py, five splits) the first suggestion
is the buyer's own code for 35% of them and in its group for 45%; the neighbours' votes took
these from 32% and 43%. With the vocabulary alone (a new installation), 18% and 31%.

Candidates are then weighed by what kind of work the text asks for: a classifier (logistic
regression on the past notices' words) gives the chance of each CPV division, and so of supplies,
works or services, and a code's score is multiplied by its division's and its kind's chances to
small powers. Fitted on 852 Contracts Finder notices, "boiler repairs" then finds the boiler repair
service before Boilers, and "repair of passenger lifts" lift maintenance before Lifts. On the
2,057 notices this took the first suggestion from 35.1% to 35.4% the buyer's own code, 45.1% to
47.3% in its group and 61.1% to 65.8% in its division (the first five's group 70.3% to 71.5%);
from the title alone, as the forms first ask, from 29.1% to 31.0%, 40.2% to 44.2% and 55.6% to
62.7%. The share of a query's words a code's description names (a coverage factor) mended the
same hand-made cases but not real ones (group 45.1% to 44.9% at half weight, 38.1% at full).
Reading the words after "in", "at" or "within" (up to punctuation) as the place of the work
and counting them at a quarter was flat over whole texts (group@1 48.2% either way on three
splits, group@5 71.4% to 70.8%) and is done only on short texts, with the fuzzy re-score
reading the work alone: from the title, group@1 43.6% to 43.9%, group@5 64.4% to 64.2%.
"Window cleaning at Preston bus station" had suggested Bus station services first; it now
suggests Window-cleaning services. Counting the words after "for" at a quarter too ("catering
for care homes") lost 1.3 points of group@1 on titles. Words of how a firm is owned
("employee-owned", "worker co-operative", "CIC", "Real Living Wage employer") are left out: a
supplier's statement names them, no code is about them, and "employee-owned" had brought
Employee relocation services (bench unchanged).

A short text's list is spread over its words: after the first (never moved), a code whose
description names none of the query's words not yet named counts at 3% of its confidence, so
"Library cafe" lists Cafeteria services second, not after four more library codes, and
"Hospital laundry service" the laundry second. On three splits, the first five's group from the
title alone 64.3% -> 64.4% (at 30%: 64.6%; too weak for the cafe), and flat over the whole text;
over whole texts (over 120 characters) it lost 2 points and is not done. Words any notice has
("supply", "delivery", "support": reasons.NOT_EVIDENCE_ALONE) are not things to spread over:
"Supply of food for schools" had listed Power supply accessories; group@5 from the title 64.3%
-> 64.7%. Nor are the words after "for", whom the work is for: "Catering for care homes" had
listed Outpatient care services and Mobile homes (64.7% -> 64.9%).
"""

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import Stemmer
from rapidfuzz import fuzz, process, utils
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from coopmatch.cpv import significant_digits
from coopmatch.matching import persist
from coopmatch.matching.reasons import NOT_EVIDENCE_ALONE
from coopmatch.matching.text import STOP_WORDS, clean

KIND = "cpv-suggester"
# How its words are read; one saved with other words is refitted, not loaded.
WORDS = "stemmed words and pairs, prefixes joined, co and in house joined, how often stopped"
SHAPE = "divisions weighed"  # what else a saved one must hold to be loaded
# How much each source adds to a code's centroid.
OWN_DESCRIPTION, ANCESTORS, NOTICES = 1.0, 0.35, 0.8
WORD_SHARE = 0.6
CANDIDATES = 50
FUZZ_SHARE = 0.25
TEMPERATURE = 0.1
LABELLED_CHARS = 400  # of a notice's text: titles and openings name the work
# The most similar past notices vote for their codes (each its cosine, shared among its codes),
# weighted against the centroids' cosine: 0.15 to 0.5 and 5 to 20 neighbours are within 0.01.
NEIGHBOURS, NEIGHBOUR_WEIGHT = 10, 0.25
# A candidate's score is multiplied by its kind's chance (supplies, works or services) to this
# power and its division's to that one. Measured on bench/cpv_suggest_quality.py: kinds alone
# at 0.2 to 0.5 gain about 2 points of group@1 over the whole text; divisions alone gain most on
# titles and lose on whole texts at 0.3; together at 0.25 and 0.1 they gain on both.
KIND_POWER, DIVISION_POWER = 0.25, 0.1
DIVISION_C = 4.0  # the classifier's inverse regularisation; 16 was no better
DIVISION_ROWS = 200, 10_000  # (notice, division) rows it needs at least, learns from at most
CHANCE_FLOOR = 1e-3  # a division the classifier never saw
SHORT_TEXT = 120  # characters: a typed phrase or a title, re-read word by word
REPEATED_WORDS = 0.03  # the share a suggestion keeps when it names no query word not yet named
# In a short text, the words after "at", "in" or "within" (to the clause's end) name where the
# work is ("window cleaning at the bus station"): they count at this share beside the words
# before, when those name something.
PLACE_SHARE = 0.25
# Tried: each clause's last word (the head of an English noun phrase: "community cafe" ->
# "cafe") weighed again at half or whole: title group@1 43.9% -> 41.7% / 37.7% (3 seeds); a
# title's last word is as often how the work is done ("Footpath Renovation works").
# A suggestion is marked likely when it leads a CPV group (3 digits) that holds this share of the
# confidence among the suggestions listed (siblings split it: "Grounds maintenance" spreads over
# the 773 group's codes). Over five splits of held-out notices (bench/cpv_suggest_quality.py),
# 12% of first suggestions from the whole text are so marked, and 90% of those are in the
# buyer's own group, against 40% of the rest (from the title alone: 9%, 86% against 39%). The
# group's share tells this a little better than the code's own confidence (AUC 0.72-0.75
# against 0.70-0.73 on three splits); a lower bar marks too many wrong codes to be worth a word.
LIKELY = 0.6


def likely(suggestions: list[tuple[str, str, float]]) -> list[bool]:
    """Return, for each of a list of suggestions, whether it is likely (see LIKELY)."""
    mass: dict[str, float] = defaultdict(float)
    leader: dict[str, str] = {}
    for code, _, confidence in suggestions:
        mass[code[:3]] += confidence
        if code[:3] not in leader:  # listed best first within a group
            leader[code[:3]] = code
    return [mass[code[:3]] >= LIKELY and leader[code[:3]] == code for code, _, _ in suggestions]


# How a firm is owned or what it stands for, not what work it does: a supplier's statement
# ("an employee-owned IT firm", "a Real Living Wage employer") would otherwise be offered
# Employee relocation services. No CPV code is about ownership.
_OWNERSHIP = re.compile(
    r"\b(?:(?:employee|worker|staff|member|community|co-?operatively)[- ]?owned"
    r"|employee ownership trust|(?:workers?'? )?(?:co-?operatives?|co[- ]?ops?)"
    r"|social enterprises?"
    r"|community interest compan(?:y|ies)|cic|(?:real )?living wage employers?)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[^.;:,()\[\]\n!?]+")
_PLACE_WORD = re.compile(r"(?<![-\w])(?:at|in|within)(?![-\w])", re.IGNORECASE)
_FOR_WHOM = re.compile(r"(?<![-\w])for(?![-\w])", re.IGNORECASE)


def kind_of_division(division: int) -> int:
    """0 supplies (divisions 03-44 and 48), 1 works (45), 2 services (49-98)."""
    return 1 if division == 45 else 2 if division >= 49 else 0


KINDS = np.array([kind_of_division(d) for d in range(100)])


class CPVSuggester:
    """Free text in, likely CPV codes with a confidence out."""

    def fit(
        self,
        vocabulary_rows: Iterable[tuple[str, str]],
        labelled_pairs: Iterable[tuple[str, Iterable[str]]] = (),
    ) -> "CPVSuggester":
        """Fit on (8-digit code, description) rows and (notice text, codes) pairs."""
        rows = [(c[:8], d) for c, d in vocabulary_rows if c and d]
        self.codes = [c for c, _ in rows]
        self.descriptions = [d for _, d in rows]
        position = {c: i for i, c in enumerate(self.codes)}
        texts_of: dict[int, list[str]] = defaultdict(list)
        voters, votes = [], []  # each past notice's text, and its codes' positions
        for text, codes in labelled_pairs:
            known = sorted({i for i in (position.get(str(c)[:8]) for c in codes) if i is not None})
            if not known or not text:
                continue
            short = clean(text)[:LABELLED_CHARS]
            for i in known:
                texts_of[i].append(short)
            voters.append(short)
            votes.append(known)
        self.notice_counts = np.array([len(texts_of[i]) for i in range(len(rows))])

        corpus = self.descriptions + [t for i in sorted(texts_of) for t in texts_of[i]]
        self.words = TfidfVectorizer(
            analyzer=stemmed_words, sublinear_tf=True, min_df=1, dtype=np.float32
        ).fit(corpus)
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2,
            dtype=np.float32,
            preprocessor=clean,
        ).fit(corpus)

        own = self._vectors(self.descriptions)
        ancestors = _ancestor_matrix(self.codes) @ own
        notice_rows, notice_texts = [], []
        for i in sorted(texts_of):
            notice_rows.extend([i] * len(texts_of[i]))
            notice_texts.extend(texts_of[i])
        if notice_texts:
            group = sp.csr_matrix(
                (
                    np.ones(len(notice_rows), dtype=np.float32),
                    (notice_rows, np.arange(len(notice_rows))),
                ),
                shape=(len(rows), len(notice_rows)),
            )
            notices = normalize(group @ self._vectors(notice_texts))
        else:
            notices = sp.csr_matrix(own.shape, dtype=np.float32)
        centroids = OWN_DESCRIPTION * own + ANCESTORS * normalize(ancestors) + NOTICES * notices
        self.centroids_t = normalize(centroids).T.tocsr().astype(np.float32)
        # Past notices, to vote: their words' vectors (transposed; with character n-grams they
        # are ten times the size and vote no better) and their codes, shared among them.
        self.voters_t = normalize(self.words.transform(voters)).T.tocsr().astype(np.float32) \
            if voters else sp.csr_matrix((len(self.words.vocabulary_), 0), dtype=np.float32)
        self.votes = sp.csr_matrix(
            (
                np.concatenate([np.full(len(v), 1 / len(v)) for v in votes]) if votes else [],
                (np.repeat(np.arange(len(votes)), [len(v) for v in votes]).astype(np.int64),
                 np.concatenate(votes).astype(np.int64) if votes else []),
            ),
            shape=(len(votes), len(rows)),
            dtype=np.float32,
        )
        self._derive()
        self.division_model = self._fit_divisions(voters, votes)
        return self

    def _derive(self) -> None:
        """Set what follows from the codes and the fitted words (after fitting or loading)."""
        self.divisions = np.array([int(c[:2]) for c in self.codes], dtype=np.int64)
        # The classifier reads single words (with pairs too it is no better and five times slower).
        self.unigrams = np.array([" " not in w for w in self.words.get_feature_names_out()])
        self._keys = None
        self._description_words = None

    def _fit_divisions(self, voters: list[str], votes: list[list[int]]):
        """A classifier of the past notices' words to their codes' divisions, or None."""
        rows = [(text, division) for text, known in zip(voters, votes, strict=True)
                for division in sorted({int(self.divisions[i]) for i in known})]
        fewest, most = DIVISION_ROWS
        if len(rows) > most:
            picked = np.random.default_rng(0).choice(len(rows), most, replace=False)
            rows = [rows[i] for i in sorted(picked)]
        if len(rows) < fewest or len({label for _, label in rows}) < 2:
            return None  # too few to say what kind of work a text asks for
        x = self.words.transform([text for text, _ in rows])[:, self.unigrams]
        return LogisticRegression(C=DIVISION_C, max_iter=500).fit(x, [label for _, label in rows])

    def _kind_weights(self, words: sp.csr_matrix, top: np.ndarray) -> np.ndarray:
        """Each candidate's division's and kind's chances for the query, raised to their powers."""
        if self.division_model is None:
            return np.ones(len(top))
        chances = np.full(100, CHANCE_FLOOR)
        chances[self.division_model.classes_] = np.maximum(
            self.division_model.predict_proba(words[:, self.unigrams])[0], CHANCE_FLOOR)
        kinds = np.bincount(KINDS, weights=chances, minlength=3)
        division = self.divisions[top]
        return chances[division] ** DIVISION_POWER * kinds[KINDS[division]] ** KIND_POWER

    def _vectors(self, texts: list[str], words: sp.csr_matrix | None = None) -> sp.csr_matrix:
        words = (self.words.transform(texts) if words is None else words) * np.sqrt(WORD_SHARE)
        chars = self.chars.transform(texts) * np.sqrt(1 - WORD_SHARE)
        return sp.hstack([words, chars]).tocsr().astype(np.float32)

    @property
    def description_words(self) -> list[set[str]]:
        if self._description_words is None:
            self._description_words = [_stems(d) for d in self.descriptions]
        return self._description_words

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [utils.default_process(d) for d in self.descriptions]
        return self._keys

    def suggest(self, text: str, k: int = 5) -> list[tuple[str, str, float]]:
        """Return up to k (code, description, confidence 0..1) for a piece of free text."""
        text = _OWNERSHIP.sub(" ", text or "")
        if not text.strip():
            return []
        head, tail = work_and_place(text) if len(text) <= SHORT_TEXT else (text, "")
        words = self.words.transform([head])
        query = self._vectors([head], words)
        if tail:
            tail_words = self.words.transform([tail])
            query = query + PLACE_SHARE * self._vectors([tail], tail_words)
            words = words + PLACE_SHARE * tail_words
        if not query.nnz:
            return []
        scores = (query @ self.centroids_t).toarray().ravel()
        scores += NEIGHBOUR_WEIGHT * self._neighbour_votes(words)
        top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
        top = top[scores[top] > 0]
        if not len(top):
            return []
        phrase = utils.default_process(text)
        if len(phrase) <= SHORT_TEXT:
            # Short phrases: a description that reads almost the same is strong evidence.
            fuzzy = (
                process.cdist(
                    [utils.default_process(head)],
                    [self.keys[i] for i in top],
                    scorer=fuzz.token_set_ratio,
                    processor=None,
                )[0]
                / 100.0
            )
            blended = (1 - FUZZ_SHARE) * scores[top] + FUZZ_SHARE * fuzzy * scores[top].max()
        else:
            blended = scores[top]
        blended = blended * self._kind_weights(words, top)
        order = np.argsort(-blended)
        top, blended = top[order], blended[order]
        weights = np.exp((blended - blended[0]) / TEMPERATURE)
        confidence = weights / weights.sum()
        # Only typed phrases and titles are diversified: on whole notices it lost 2 points of
        # group@5 (a long text names many things; its codes mostly share a group). Whom the
        # work is for is not a second thing asked for.
        if len(phrase) <= SHORT_TEXT:
            picked = self._diverse(work_and_place(text, _FOR_WHOM)[0], top, confidence, k)
        else:
            picked = range(min(k, len(top)))
        return [(self.codes[top[j]], self.descriptions[top[j]], round(float(confidence[j]), 4))
                for j in picked]

    def _diverse(self, text: str, top: np.ndarray, confidence: np.ndarray, k: int) -> list[int]:
        """Positions in top of the k to list, best first. After the first, a code whose
        description names no query word that those listed before it leave unnamed counts at
        REPEATED_WORDS of its confidence, so that a query of two things ("library cafe") is
        not answered with five kinds of the one ("Library services", "Library equipment", ...).
        A word is named by itself or a longer word it begins ("cafe" by "cafeteria"). Words any
        notice has ("supply", "delivery": reasons.NOT_EVIDENCE_ALONE) are not asked for."""
        asked = _stems(" ".join(w for w in re.findall(r"[\w-]+", text)
                                if w.lower() not in NOT_EVIDENCE_ALONE))
        named = [{q for q in asked if any(_names(d, q) for d in self.description_words[i])}
                 for i in top.tolist()]
        covered: set[str] = set()
        left, picked = list(range(len(top))), []
        while left and len(picked) < k:
            worth = [confidence[j] * (REPEATED_WORDS if picked and not named[j] - covered
                                      else 1.0) for j in left]
            best = left[int(np.argmax(worth))]  # the first of equals: the better ranked
            left.remove(best)
            picked.append(best)
            covered |= named[best]
        return picked

    def _neighbour_votes(self, query: sp.csr_matrix) -> np.ndarray:
        """Each code's votes from the past notices whose words are most like the query's."""
        if not self.voters_t.shape[1]:
            return np.zeros(len(self.codes), dtype=np.float32)
        sims = (normalize(query) @ self.voters_t).toarray().ravel()
        k = min(NEIGHBOURS, len(sims))
        nearest = np.argpartition(-sims, k - 1)[:k]
        nearest = nearest[sims[nearest] > 0]
        return np.asarray(sims[nearest] @ self.votes[nearest]).ravel()

    def save(self, path: str | Path) -> None:
        persist.save(
            path,
            KIND,
            meta={"codes": len(self.codes), "words": WORDS, "shape": SHAPE},
            arrays={"notice_counts": self.notice_counts},
            matrices={"centroids_t": self.centroids_t, "voters_t": self.voters_t,
                      "votes": self.votes},
            objects={
                "codes": self.codes,
                "descriptions": self.descriptions,
                "words": self.words,
                "chars": self.chars,
                "division_model": self.division_model,
            },
        )

    @classmethod
    def load(cls, path: str | Path) -> "CPVSuggester":
        meta, arrays, matrices, objects = persist.load(path, KIND)
        if meta.get("words") != WORDS:
            raise ValueError("the saved suggester reads words another way")
        if meta.get("shape") != SHAPE:
            raise ValueError("the saved suggester does not weigh divisions")
        suggester = cls()
        suggester.notice_counts = arrays["notice_counts"]
        suggester.centroids_t = matrices["centroids_t"]
        suggester.voters_t, suggester.votes = matrices["voters_t"], matrices["votes"]
        for key, value in objects.items():
            setattr(suggester, key, value)
        suggester._derive()
        if suggester.voters_t.shape[0] != len(suggester.words.vocabulary_):
            raise ValueError("the saved suggester's past notices are not in its words' space")
        return suggester


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token
_stemmers = threading.local()  # a Stemmer is not safe to share between threads


def stemmed_words(text: str) -> list[str]:
    """Return the text's content words, stemmed ("guarding" -> "guard", "roofing" -> "roof"),
    and each pair of neighbours: the CPV vocabulary's short descriptions rarely use the same
    form of a word as a notice does. On 2,057 coded notices (bench/cpv_suggest_quality.py)
    stemming took the vocabulary alone from 29.2% to 30.8% right CPV group at the first
    suggestion (46.4% to 49.1% in the first five), and the trained suggester from 44.8% to
    45.1% (69.7% to 70.3%)."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    stems = stemmer.stemWords([w for w in _TOKEN.findall(clean(text)) if w not in STOP_WORDS])
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def _stems(text: str) -> set[str]:
    """The text's stemmed words, without the pairs."""
    return {w for w in stemmed_words(text) if " " not in w}


def work_and_place(text: str, marker: re.Pattern = _PLACE_WORD) -> tuple[str, str]:
    """Split a text into the work it asks for and where it is: each clause's words after its
    first "at", "in" or "within" (or what `marker` finds, such as "for") whose words before it
    name something ("Window cleaning" and "Preston bus station"). The place is "" when no
    clause names one."""
    heads, tails = [], []
    for clause in _CLAUSE.findall(text):
        for found in marker.finditer(clause):
            if _stems(clause[: found.start()]):
                heads.append(clause[: found.start()].strip())
                tails.append(clause[found.end():].strip())
                break
        else:
            heads.append(clause.strip())
    if not tails:
        return text, ""
    return ". ".join(heads), ". ".join(tails)


def _names(word: str, asked: str) -> bool:
    """Whether a description's word names a query's: the same, or begun by it (4+ letters)."""
    return word == asked or (len(asked) >= 4 and word.startswith(asked))


def _ancestor_matrix(codes: list[str]) -> sp.csr_matrix:
    """Return codes x codes with 1 where the column is a strict ancestor of the row's code."""
    position = {significant_digits(c): i for i, c in enumerate(codes)}
    rows, cols = [], []
    for i, code in enumerate(codes):
        digits = significant_digits(code)
        for length in range(2, len(digits)):
            j = position.get(digits[:length])
            if j is not None:
                rows.append(i)
                cols.append(j)
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(codes), len(codes))
    )
