"""Suppliers (and organisations) listed twice under nearly the same name: candidates for a
person to merge.

Imports already treat the same registration number, or the same normalised name at the same
postcode, as one supplier, and a near-miss name in the same postcode district too. What gets
through are names spelt differently on award notices, which give no address: "NI Construction
(NW) Ltd" and "NI Constructions (NW) Ltd", "Paydale Playgrounds" and "Playdale Playgrounds".
Pure: plain entries in, pairs out; a person decides.
"""

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from coopmatch.names import is_public_body_name

# rapidfuzz ratio (0-100) of normalised names without their spaces: "apfrenovations" and
# "apfrenovation" 96, "aeyates" 100. Distinct co-ops near
# this ("Tac Housing Co-operative", "T21 Housing Co-operative": 91) are told apart by place.
SAME_NAME_SCORE = 90
# Where each name has words the other lacks, those words must be near alike too (the same
# ratio, spaces aside): a typo ("dasco" and "dracso" 73) or a word cut short ("advis" and
# "advisors" 77) may be one firm; two words of their own ("alt" and "t21" 33) are two names,
# as with two housing co-ops run from one office.
SAME_WORDS_SCORE = 60


# A name that is another's with words added after it ("Beever and Struthers" and "Beever and
# Struthers Chartered Accountants and Business Advisors", "Cassidy and Ashton" and "Cassidy and
# Ashton Group") may be one firm, as award notices write a firm's trade or branch after its
# name. The shorter name must have this many words and letters (without spaces): "A B Smith"
# is too short a name to say that "A B Smith Roofing" is the same firm.
EXTENDED_MIN_WORDS = 2
EXTENDED_MIN_LETTERS = 8


@dataclass(frozen=True)
class Entry:
    """What the search reads of a supplier."""

    id: int
    normalised_name: str
    postcode: str | None = None
    registration_number: str | None = None


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    score: float


# Up to this many entries (a ranking's names), every pair is compared; a register is compared
# within blocks (`_keys`).
ALL_PAIRS_UP_TO = 500


def _keys(name: str) -> set[str]:
    """Blocks a name is compared within: its first three letters, its last word's (a typo
    early in the name, "paydale playgrounds", still meets "playdale playgrounds"), and its
    words' initials (a typo in each word, "dasco construction" and "drasco costuction")."""
    words = name.split()
    if not words:
        return set()
    keys = {f"a:{name[:3]}", f"z:{words[-1][:3]}"}
    if len(words) >= 2:
        keys.add("i:" + "".join(word[0] for word in words))
    return keys


def likely_duplicates(entries: list[Entry], *, limit: int = 200, extended: bool = True,
                      places: Callable[[str], set[str]] | None = None,
                      apart: Collection[tuple[int, int]] = ()) -> list[Pair]:
    """Return pairs of entries that are probably one supplier, most alike first.

    Two entries pair when their names are nearly the same (SAME_NAME_SCORE, spaces aside),
    or (with `extended`) one name is the other with words added after it (`extended_names`),
    and nothing tells them apart: not two different registration numbers, not two different
    postcodes, unless the names are the same (a Royal British Legion club in each of two
    towns are two clubs; one firm's name at two addresses may be one firm), and not (given
    `places`, a name's place words) two places named (`different_places`), and not a pair
    of ids in `apart` (smaller id first), judged by a person to be two.
    """
    usable = [e for e in entries if len(e.normalised_name.replace(" ", "")) >= 4]
    blocks: dict[str, list[Entry]] = defaultdict(list)
    for entry in usable:
        for key in _keys(entry.normalised_name) if len(usable) > ALL_PAIRS_UP_TO else ["all"]:
            blocks[key].append(entry)
    best: dict[tuple[int, int], float] = {}
    for members in blocks.values():
        if len(members) < 2:
            continue
        # Without spaces: "a e yates" and "ae yates" are one name. Threads pay only on big
        # blocks (a ranking's 50 names take 0.14 ms on one, 1.7 ms with threads started).
        names = [m.normalised_name.replace(" ", "") for m in members]
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=SAME_NAME_SCORE,
                               dtype="uint8", workers=-1 if len(names) > 200 else 1)
        for i, j in zip(*np.triu(scores, k=1).nonzero(), strict=True):
            a, b = members[i], members[j]
            if not _compatible(a, b, int(scores[i, j])):
                continue
            key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            best[key] = max(best.get(key, 0.0), float(scores[i, j]))
    if extended:
        for a, b in extended_names(usable):
            key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if key not in best and _compatible(a, b, SAME_NAME_SCORE):
                best[key] = float(SAME_NAME_SCORE)  # after the names spelt alike
    if places is not None:
        names = {e.id: e.normalised_name for e in usable}
        best = {key: score for key, score in best.items()
                if not different_places(names[key[0]], names[key[1]], places)}
    pairs = [Pair(a, b, score) for (a, b), score in best.items() if (a, b) not in apart]
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs[:limit]


def extended_names(entries: list[Entry]) -> list[tuple[Entry, Entry]]:
    """Return (shorter, longer) pairs of entries where the longer name is the shorter with
    words added after it: "Lea Hough" and "Lea Hough Chartered Surveyors". Not where the
    shorter names a public body: a council's department ("Blackpool Council Corporate Print
    Services") or a body it acts for ("... Borough Council c o Growth Lancashire") is not the
    council as a supplier. Nor where the words added start another entry's name: "Ralph
    Livesey, Brake Bros" is a joint award, not a name of Ralph Livesey's."""
    by_name: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_name[entry.normalised_name].append(entry)
    starts = {" ".join(words[:2]) for words in map(str.split, by_name) if len(words) >= 2}
    found = []
    for entry in entries:
        words = entry.normalised_name.split()
        for end in range(EXTENDED_MIN_WORDS, len(words)):
            prefix, added = words[:end], words[end:]
            if (len("".join(prefix)) < EXTENDED_MIN_LETTERS
                    or (len(added) >= 2 and " ".join(added[:2]) in starts)):
                continue
            for shorter in by_name.get(" ".join(prefix), ()):
                if not is_public_body_name(shorter.normalised_name):
                    found.append((shorter, entry))
    return found


def likely_same_bodies(entries: list[Entry], places: Callable[[str], set[str]], *,
                       limit: int = 200, apart: Collection[tuple[int, int]] = ()
                       ) -> list[Pair]:
    """Return pairs of organisations that are probably one body named two ways, most alike
    first: "Department for Work and Pensions" and "... (DWP)", "NHS West Hampshire Clinical
    Commissioning Group" and "West Hampshire Clinical Commisioning Group".

    The test of `likely_duplicates`, on names alone (a body's notices give different
    addresses), and then not where each name names a place the other does not (`places`
    gives a name's place words): "West Sussex County Council" and "East Sussex County
    Council", "University of Chichester" and "University of Chester" are two bodies. A name
    that only adds a place ("NHS England Greater Manchester ...") may be the same body.
    """
    bare = [Entry(e.id, e.normalised_name) for e in entries]
    # Not names with words added: "NHS England" and "NHS England North West" are two teams.
    return likely_duplicates(bare, limit=limit, extended=False, places=places, apart=apart)


# Words that tell two branches or bodies of one name apart as places do: "Police and Crime
# Commissioner for North Wales" and "... for South Wales".
COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern",
                     "western"})


def different_places(first: str, second: str, places: Callable[[str], set[str]]) -> bool:
    """Whether each of two names names a place (or a point of the compass) the other does
    not: "West Sussex County Council" and "East Sussex County Council", "Police and Crime
    Commissioner for Bedfordshire" and "... for Hertfordshire". A name that only adds a place
    ("Motus Commercials Derby") may be the same firm or body."""
    mine = places(first) | (COMPASS & set(first.split()))
    theirs = places(second) | (COMPASS & set(second.split()))
    return bool(mine - theirs and theirs - mine)


def _compatible(a: Entry, b: Entry, score: int) -> bool:
    if not same_words(a.normalised_name, b.normalised_name):
        return False
    if a.registration_number and b.registration_number:
        if a.registration_number.upper() != b.registration_number.upper():
            return False
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return score >= 100
    return True


def same_words(first: str, second: str) -> bool:
    """Whether the words each of two normalised names has and the other lacks are alike (or
    one has none): "dasco construction" and "dracso construction" may be one firm, "alt
    housing cooperative" and "t21 housing cooperative" are two."""
    mine, theirs = first.split(), second.split()
    own = "".join(w for w in mine if w not in theirs)
    other = "".join(w for w in theirs if w not in mine)
    return not own or not other or fuzz.ratio(own, other) >= SAME_WORDS_SCORE


def repeats(ranked: list[Entry], places: Callable[[str], set[str]] | None = None,
            apart: Collection[tuple[int, int]] = ()) -> dict[int, int]:
    """In a ranked list, map each entry that probably lists an earlier one again (the test of
    likely_duplicates, with `places` if given) to the first entry of that firm: "NI
    Constructions (NW) Ltd" ranked fifth to "NI Construction (NW) Ltd" ranked second, until a
    person merges them. Pairs of ids in `apart` (smaller id first) a person judged to be two."""
    order: dict[int, int] = {}
    unique = []
    for entry in ranked:  # a supplier ranked for two lots is one entry
        if entry.id not in order:
            order[entry.id] = len(order)
            unique.append(entry)
    earlier_of: dict[int, int] = {}
    for pair in likely_duplicates(unique, limit=len(unique) ** 2, places=places, apart=apart):
        first, later = sorted((pair.first, pair.second), key=order.__getitem__)
        if later not in earlier_of or order[first] < order[earlier_of[later]]:
            earlier_of[later] = first
    found = {}
    for later, first in earlier_of.items():
        while first in earlier_of:  # "NI Construction" <- "NI Construction (NW)" <- ...
            first = earlier_of[first]
        found[later] = first
    return found
