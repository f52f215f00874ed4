"""Postcode -> coordinates, local authority, county or combined authority, and region.

Reads the ONS and OS Code-Point Open files under `<data dir>/reference-data/geography`. The
1.7 million unit postcodes are parsed once into a compact NumPy cache file (about 20 MB) and
looked up by binary search, so a process pays a fraction of a second, not a full parse.
Without the data directory everything still works at district level by format alone.
"""

import csv
import gzip
import hashlib
import html
import io
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from coopmatch.errors import InvalidPostcode
from coopmatch.geo.postcodes import normalise_postcode, outward_code

GEOGRAPHY = Path("reference-data") / "geography"
POSTCODES_FILE = "postcodes_gb_codepoint_2014.csv.gz"
_WORD = re.compile(r"[a-z]+")
CACHE_VERSION = "1"
# Nations stand in for regions outside England, which has no regions of its own there.
COUNTRY_CODES = {
    "England": "E92000001",
    "Wales": "W92000004",
    "Scotland": "S92000003",
    "Northern Ireland": "N92000002",
}
NORTHERN_IRELAND = re.compile(r"^BT\d")  # the Belfast postcode area covers the whole nation
# A buyer whose name says it is a council (its area named too) can be placed without a postcode.
_COUNCIL = re.compile(r"\b(councils?|borough|combined authority)\b")
# Words of a council's name that are not its area's ("Westminster City Council").
_COUNCIL_WORDS = frozenset(
    "the council councils city borough district county metropolitan royal london of and".split()
)
# How alike (rapidfuzz ratio, 0-100) a misspelt name must be to an authority's to be placed
# there: "westminister" is 96 to "westminster"; "seaton valley" is under 70 to any.
FUZZY_COUNCIL_SCORE = 90
# Police forces and fire services go by the area they serve: "West Yorkshire Police", "Police
# and Crime Commissioner for Cheshire", "Merseyside Fire & Rescue Authority". Such a name is
# placed only when every other word of it is its area's ("Police Now Enterprises Limited", "North
# West Fire Control Ltd" and "Delta Fire" are not).
_SERVICE = re.compile(r"\b(?:police|policing|constabulary|fire)\b")
_SERVICE_WORDS = frozenset(
    "police policing constabulary fire rescue crime commissioner commissioners comissioner "
    "pcc authority service force brigade office chief constable county and the of for".split()
)
# NHS bodies the same way, by the place their name names: "Blackpool Teaching Hospitals NHS
# Foundation Trust", "NHS Salford CCG", "North West Ambulance Service NHS Trust" (the region).
# "NHS" is asked for ("Blackpool Hospital Radio" is not one), and every other word must be the
# area's or the body's: "Manchester Uni NHS FT Charity", "NHS Professionals Ltd", "NHS Supply
# Chain" and "Lancashire & South Cumbria NHS Foundation Trust" (two areas) are not placed.
_HEALTH = re.compile(r"\b(?:nhs|nhsft|nhst)\b")
_HEALTH_WORDS = frozenset(
    "nhs nhsft nhst ft t uh trust trusts foundation teaching hospital hospitals hosp university "
    "universities uni acute royal health healthcare care ccg clinical commissioning group icb "
    "integrated board ambulance service services community mental partnership and the of for "
    "in".split()
)
_SERVICES = ((_SERVICE, _SERVICE_WORDS), (_HEALTH, _HEALTH_WORDS))
_JOINS = frozenset({"and", "the", "of", "for"})
# The areas forces and fire services are named after that no area of the reference data is
# named after: by the area (kind, name) that holds each. West Mercia, Thames Valley and the
# Welsh forces span a region's counties; Cheshire's two councils have no county of today.
_SERVICE_AREAS = {
    "avon somerset": ("region", "South West"),
    "bedfordshire": ("region", "East of England"),
    "cheshire": ("region", "North West"),
    "cleveland": ("combined_authority", "Tees Valley"),
    "devon cornwall": ("region", "South West"),
    "dyfed powys": ("region", "Wales"),
    "gwent": ("region", "Wales"),
    "hereford worcester": ("region", "West Midlands"),
    "humberside": ("region", "Yorkshire and The Humber"),
    "merseyside": ("combined_authority", "Liverpool City Region"),
    "metropolitan": ("region", "London"),
    "mid west wales": ("region", "Wales"),
    "north wales": ("region", "Wales"),
    "northumbria": ("combined_authority", "North East"),
    "royal berkshire": ("region", "South East"),
    "scottish": ("region", "Scotland"),
    "south wales": ("region", "Wales"),
    "sussex": ("region", "South East"),
    "thames valley": ("region", "South East"),
    "tyne wear": ("combined_authority", "North East"),
    "west mercia": ("region", "West Midlands"),
}
# A town's own council: "Nantwich Town Council", "Bishop Itchington Parish Council".
_TOWN_COUNCIL = re.compile(r"^(?:the )?([a-z][a-z ]*?) (?:town|parish|community) council\b")
# Counties as councils and notices shorten them: "East Herts Council" is East Hertfordshire's.
_COUNTY_SHORT = {
    "beds": "bedfordshire",
    "bucks": "buckinghamshire",
    "cambs": "cambridgeshire",
    "derbys": "derbyshire",
    "glos": "gloucestershire",
    "hants": "hampshire",
    "herts": "hertfordshire",
    "lancs": "lancashire",
    "leics": "leicestershire",
    "lincs": "lincolnshire",
    "northants": "northamptonshire",
    "notts": "nottinghamshire",
    "oxon": "oxfordshire",
    "staffs": "staffordshire",
    "warks": "warwickshire",
    "wilts": "wiltshire",
    "worcs": "worcestershire",
}
# Combined authorities set up after the ONS lookup in the reference data (May 2024), by the
# councils that make them up (a county for its districts); GSS codes as ONS gives them (May 2025).
# A place's county tier is its combined authority where it is in one: Blackpool's suppliers are
# local to a Preston tender, as they are to the Lancashire Combined County Authority (2025).
NEWER_COMBINED_AUTHORITIES = {
    "E47000015": ("Devon and Torbay Combined County Authority", ("E10000008", "E06000027")),
    "E47000016": ("Hull and East Yorkshire Combined Authority", ("E06000010", "E06000011")),
    "E47000017": (
        "Greater Lincolnshire Combined County Authority",
        ("E10000019", "E06000012", "E06000013"),
    ),
    "E47000018": (
        "Lancashire Combined County Authority",
        ("E10000017", "E06000008", "E06000009"),
    ),
}
# Areas whose council goes by a name that is not a part of the area's: Hull City Council is
# Kingston upon Hull's ("Kingston" alone is also Kingston upon Thames's).
_COUNCIL_ALIASES = {"hull": "E06000010"}


# Joining words of places' names ("Forest of Dean", "Newcastle upon Tyne"): no initials, no terms.
_JOINING_WORDS = frozenset({"and", "with", "upon", "on", "of", "the", "in", "under"})


def _phrase_words(name: str) -> frozenset[str]:
    """Return the words of a longer name that are hidden where it is written whole: all but
    its joining words ("le" and "bridge" too, of "Clayton le Woods" and "Bamber Bridge")."""
    return frozenset(name.split()) - _JOINING_WORDS


def _name_words(text: str) -> str:
    """Lower-case words of a name, '&' read as 'and', HTML entities and county abbreviations
    read out: "Blackburn with Darwen", "st helens", "Telford &amp; Wrekin" -> "telford and
    wrekin", "East Herts" -> "east hertfordshire"."""
    words = re.findall(r"[a-z0-9]+", html.unescape(text).lower().replace("&", " and "))
    return " ".join(_COUNTY_SHORT.get(w, w) for w in words)


# The country's own names, which are not among the areas (TED's titles begin "GB-Preston: ...").
NATION_WORDS = frozenset({"uk", "gb", "england", "britain"})
NATION_NAMES = ("united kingdom", "great britain", "northern ireland")
# Areas many public bodies are named after that are no local authority today, so not among the
# areas: the ceremonial counties of England and the preserved counties of Wales ("Police and
# Crime Commissioner for Bedfordshire", "Cheshire Fire Authority"), and the police, fire and
# NHS board areas named otherwise ("Thames Valley Police", "NHS Lothian"). Fixed since 1996-2014.
OTHER_AREA_NAMES = (
    "bedfordshire", "berkshire", "buckinghamshire", "cambridgeshire", "cheshire", "cornwall",
    "cumbria", "derbyshire", "devon", "dorset", "durham", "east sussex", "essex",
    "gloucestershire", "greater london", "greater manchester", "hampshire", "herefordshire",
    "hertfordshire", "isle of wight", "kent", "lancashire", "leicestershire", "lincolnshire",
    "merseyside", "norfolk", "north yorkshire", "northamptonshire", "northumberland",
    "nottinghamshire", "oxfordshire", "rutland", "shropshire", "somerset", "south yorkshire",
    "staffordshire", "suffolk", "surrey", "tyne and wear", "warwickshire", "west midlands",
    "west sussex", "west yorkshire", "wiltshire", "worcestershire", "east riding of yorkshire",
    "bristol", "middlesex", "sussex", "yorkshire",
    "clwyd", "dyfed", "gwent", "gwynedd", "mid glamorgan", "powys", "south glamorgan",
    "west glamorgan", "glamorgan",
    "thames valley", "avon and somerset", "devon and cornwall", "dyfed powys", "humberside",
    "northumbria", "cleveland", "west mercia", "lothian", "grampian", "tayside", "strathclyde",
    "forth valley", "ayrshire and arran", "lanarkshire",
)

# Where towns' names are read from (in reference-data/coops), and the towns whose names are
# ordinary words of the work as well, so stay words ("tree felling", "leek", "Stanley knife" aside).
TOWN_COLUMNS = (("coops_uk_open_data_2023q2.csv", "Locality"),
                ("coops_uk_open_data_2017_organisations.csv", "Registered City"))
ORDINARY_TOWN_WORDS = frozenset({
    "comber", "crook", "deal", "felling", "flint", "grays", "hale", "holt", "hook", "lancing",
    "leek", "lode", "march", "mold", "par", "sandy", "settle", "stoke", "street", "toward",
    "vale", "welling", "wick",
    # Wards' places ("Canning Town", "Barrow and Sileby") whose names are words of the work too.
    "barrow", "canning", "lake",
})
# What a ward's name adds to the place it names ("Kirkham North", "Bamber Bridge East",
# "Attenborough and Chilwell East"): taken off, the rest names places.
WARD_PARTS = frozenset({
    "north", "south", "east", "west", "central", "centre", "rural", "town", "village", "urban",
    "upper", "lower", "inner", "outer",
})

# The end of a postcode as _name_words leaves it: "PR25 1DH" -> "pr25 1dh", "M1 1AE" -> "m1 1ae".
_INWARD_CODE = re.compile(r"\b[a-z]{1,2}[0-9][a-z0-9]? [0-9]([a-z]{2})\b")


def _short_names(name: str) -> list[str]:
    """The shorter names an area's council goes by, from its name as the reference data gives
    it: "Newcastle upon Tyne" -> "newcastle", "Southend-on-Sea" -> "southend", "County Durham"
    -> "durham", and each place of a joined name: "Blackburn with Darwen" -> "blackburn" and
    "darwen", "Bournemouth, Christchurch and Poole" -> "bournemouth", "christchurch", "poole"."""
    name = re.sub(r", (city|county) of$", "", name, flags=re.I)
    parts = [name, *re.split(r",| and | with | & ", name)]
    found = []
    for part in parts:
        words = _name_words(part)
        short = re.sub(r"^county ", "", re.sub(r" (upon|on) .*$", "", words))
        if short and short != _area_words_of(name) and short not in found:
            found.append(short)
    return found


def _area_words_of(name: str) -> str:
    return _name_words(re.sub(r", (city|county) of$", "", name, flags=re.I))


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The mean of (latitude, longitude) points, to six places: the centre of nearby areas."""
    return (
        round(sum(p[0] for p in points) / len(points), 6),
        round(sum(p[1] for p in points) / len(points), 6),
    )


# How a council's initials end: County or City Council, Borough, District, Metropolitan Borough
# or District Council ("LCC", "SRBC", "WMBC", "BwDBC"), or Council alone after three or more
# ("BANESC"; "MTC" and "HPC" are more often a measured term contract and computing).
COUNCIL_SUFFIXES = ("cc", "bc", "dc", "mbc", "mdc", "c")
MIN_INITIALS = 3  # "BC" alone names nothing
MIN_BARE_INITIALS = 4  # "BANES", "BNES"; three bare letters are too often a word ("nut")


def council_initials(names: Iterable[str]) -> set[str]:
    """Return the initials a council of each area is written by: "lancashire" -> "lcc", "lbc"
    and the like; "west lancashire" -> "wlbc"; "bath and north east somerset" -> "bnes",
    "banes" and "banesc". Notices name their buyer so ("LCC Transport Services"): a buyer,
    not the work."""
    found = set()
    for name in names:
        words = name.split()
        spellings = {"".join(w[0] for w in words),
                     "".join(w[0] for w in words if w not in _JOINING_WORDS)}
        for letters in spellings:
            if len(letters) >= MIN_BARE_INITIALS and len(words) > 1:
                found.add(letters)
            found.update(letters + end for end in COUNCIL_SUFFIXES
                         if len(letters + end) >= MIN_INITIALS
                         and (end != "c" or len(letters) >= MIN_INITIALS))
    return found


def _area_words(area) -> str:
    """An area's name as it is written in text: "Kingston upon Hull, City of" -> "kingston
    upon hull"."""
    return _area_words_of(area.name)


@dataclass(frozen=True)
class Place:
    """Where a postcode is, as precisely as the reference data allows."""

    postcode: str
    district: str
    latitude: float | None = None
    longitude: float | None = None
    lad_code: str | None = None
    lad_name: str | None = None
    county_code: str | None = None
    county_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    country: str | None = None
    # "postcode" (unit centroid), "district" (outward-code centroid), "area" (a council's area,
    # from its name), "country" (Northern Ireland: the nation only) or "format" (no data).
    precision: str = "format"

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class PlaceWords:
    """Words that name places, hidden from evidence of what the work is ("lancashire")."""

    always: frozenset[str] = frozenset()  # of one-word names: "preston", "lancashire"
    phrases: dict[str, frozenset[str]] = field(default_factory=dict)  # "amber valley": words

    @cached_property
    def _starts(self) -> dict[str, tuple[int, ...]]:
        """The first word of each longer name, and how many words the names it starts have."""
        starts: dict[str, set[int]] = {}
        for name in self.phrases:
            words = name.split()
            starts.setdefault(words[0], set()).add(len(words))
        return {word: tuple(sorted(lengths)) for word, lengths in starts.items()}

    def in_text(self, text: str | None) -> frozenset[str]:
        """Return the place words of a text: the one-word names' always, the words of longer
        names written in it, and the letters that end its postcodes ("dh" of "PR25 1DH").

        Names are looked up where their first word is written (one dictionary lookup a word,
        whatever the number of names), not by one pattern of every name, which costs time in
        proportion to the names known."""
        if not text:
            return self.always
        written = _name_words(text)
        words, starts, found = written.split(), self._starts, set()
        for i, word in enumerate(words):
            lengths = starts.get(word)
            if lengths:
                for n in lengths:
                    named = self.phrases.get(" ".join(words[i : i + n]))
                    if named:
                        found |= named
        found.update(match.group(1) for match in _INWARD_CODE.finditer(written))
        return self.always | found if found else self.always


@dataclass
class Area:
    code: str
    name: str
    kind: str  # local_authority, county, combined_authority, region
    lad_codes: set[str] = field(default_factory=set)


class GeoReference:
    """Lookups over the geography reference files in one data directory."""

    def __init__(self, data_dir: str | os.PathLike | None, cache_dir: str | os.PathLike | None):
        self.root = Path(data_dir) / GEOGRAPHY if data_dir else None
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """Return whether the reference data is present (full geography)."""
        return bool(self.root and (self.root / "local_authority_districts.csv").is_file())

    # --- postcodes ---------------------------------------------------------------------------

    def lookup(self, postcode: str) -> Place:
        """Locate a postcode; raise InvalidPostcode for one that is not a UK postcode."""
        postcode = normalise_postcode(postcode)
        district = outward_code(postcode)
        if not self.available:
            return Place(postcode=postcode, district=district)
        units = self._units
        if units is not None:
            key = postcode.replace(" ", "").encode()
            i = int(np.searchsorted(units["keys"], key))
            if i < len(units["keys"]) and units["keys"][i] == key and not np.isnan(units["lat"][i]):
                lad = str(self._lad_names[int(units["lad"][i])])
                return self._place(
                    postcode, district, float(units["lat"][i]), float(units["lon"][i]), lad,
                    "postcode",
                )
        row = self._districts.get(district)
        if row:
            return self._place(postcode, district, row[0], row[1], row[2], "district")
        if NORTHERN_IRELAND.match(district):
            # The reference data covers Great Britain; a BT postcode is at least in the nation.
            return Place(
                postcode=postcode,
                district=district,
                region_code=COUNTRY_CODES["Northern Ireland"],
                region_name="Northern Ireland",
                country="Northern Ireland",
                precision="country",
            )
        return Place(postcode=postcode, district=district)

    def lookup_many(self, postcodes: list[str]) -> list[Place | None]:
        """Locate many postcodes; invalid ones give None."""
        places: list[Place | None] = []
        for postcode in postcodes:
            try:
                places.append(self.lookup(postcode) if postcode else None)
            except InvalidPostcode:
                places.append(None)
        return places

    def _place(self, postcode, district, lat, lon, lad_code, precision) -> Place:
        lad = self._lads.get(lad_code or "", {})
        county = self._county_of.get(lad_code or "")
        return Place(
            postcode=postcode,
            district=district,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            lad_code=lad_code or None,
            lad_name=lad.get("name"),
            county_code=county[0] if county else None,
            county_name=county[1] if county else None,
            region_code=lad.get("region_code") or None,
            region_name=lad.get("region_name"),
            country=lad.get("country"),
            precision=precision,
        )

    # --- areas ---------------------------------------------------------------------------------

    def area(self, code: str) -> Area | None:
        """Return a local authority, county, combined authority or region by its GSS code."""
        return self._areas.get(code)

    def areas_named(self, text: str | None) -> list[Area]:
        """Return the areas a person means by a GSS code or an area's name, in any case:
        "E10000017", "Lancashire", "north west", "Blackburn with Darwen", "Kingston upon Hull",
        or the shorter name a council goes by where only one area has it ("Hull", "Durham",
        "Blackburn" for Blackburn with Darwen, "Hove" for Brighton and Hove).

        A name two areas share gives both ("West Midlands" is a region and a combined
        authority; a merged council kept its name under a new code). Empty when nothing is
        called that."""
        text = (text or "").strip()
        if not text:
            return []
        area = self._areas.get(text.upper())
        if area is not None:
            return [area]
        return list(self._areas_by_words.get(_name_words(text), ()))

    @cached_property
    def _areas_by_words(self) -> dict[str, tuple[Area, ...]]:
        named: dict[str, list[Area]] = {}
        for area in self._areas.values():
            for words in {_area_words(area), _name_words(area.name)}:
                named.setdefault(words, []).append(area)
        for words, area in self._short_area_names.items():
            named.setdefault(words, [area])
        return {words: tuple(sorted(found, key=lambda a: a.code))
                for words, found in named.items()}

    def closest_area_name(self, text: str, kind: str | None = None) -> str | None:
        """Return the name of the area (of `kind`, if given) whose name is most like text, if
        one is close: what a person who mistyped a name probably meant ("Lancshire")."""
        from rapidfuzz import fuzz, process, utils

        names = sorted({a.name for a in self._areas.values() if kind is None or a.kind == kind})
        found = process.extractOne(text, names, scorer=fuzz.ratio, score_cutoff=80,
                                   processor=utils.default_process)
        return found[0] if found else None

    def is_postcode_district(self, text: str) -> bool:
        """Whether text is a postcode district in the reference data (PR1, M14, SW1A)."""
        return text.strip().upper() in self._districts

    def areas(self, kind: str | None = None) -> list[Area]:
        """List areas, optionally of one kind, by name."""
        found = [a for a in self._areas.values() if kind is None or a.kind == kind]
        return sorted(found, key=lambda a: a.name)

    def place_words(self, ordinary: Iterable[str] = ()) -> "PlaceWords":
        """Return the words of area names ("lancashire", "preston") that are not `ordinary`
        words too (a vocabulary of the work: "forest", "bath" and "castle" stay words).

        The words of a one-word name are always place words; those of a longer name only where
        the whole name is written ("borders" in "Scottish Borders", not in "shrub borders"), and
        then all of them ("bridge" and "le" too, in "Bamber Bridge" and "Clayton-le-Woods"),
        if one of them names a place: a name of ordinary words only ("Town Centre") stays words.
        Towns are names too ("leyland", "st annes"), as Co-operatives UK's addresses name them
        and as wards do ("kirkham" of "Kirkham North"); wards of more than one word ("moss
        side", "seven stars") where written whole; and postcode districts ("pr25", "m14"): an
        address is not the work.
        """
        keep = {w for text in ordinary for w in _WORD.findall(text.lower())} | ORDINARY_TOWN_WORDS
        always, phrases = set(), {}
        wards = sorted({name for name, _ in self._ward_lads if " " in name})
        towns = sorted(self._towns | self._ward_towns)
        for name in ([_area_words(area) for area in self._areas.values()] + towns
                     + list(OTHER_AREA_NAMES)):
            words = frozenset(w for w in name.split() if len(w) > 2 and w not in keep)
            if not words:
                continue
            if " " in name:
                phrases[name] = _phrase_words(name)
            else:
                always |= words
        for name in wards:  # only as written whole: a one-word ward is often a word ("Park")
            if any(len(w) > 2 and w not in keep for w in name.split()):
                phrases.setdefault(name, _phrase_words(name))
        always |= {district.lower() for district in self._districts} | NATION_WORDS
        always |= council_initials(
            [_area_words(area) for area in self._areas.values()
             if area.kind in {"local_authority", "county", "former_local_authority",
                              "former_county"}]) - keep
        phrases.update({name: frozenset(name.split()) for name in NATION_NAMES})
        return PlaceWords(frozenset(always), phrases)

    def area_name(self, code: str | None) -> str | None:
        area = self._areas.get(code or "")
        return area.name if area else None

    def lad_codes_in(self, code: str) -> set[str]:
        """Return the local authority codes inside an area (a LAD gives itself)."""
        area = self._areas.get(code)
        return set(area.lad_codes) if area else {code}

    def wider_area_of(self, lad_code: str) -> tuple[str | None, str | None]:
        """Return (county or combined authority code, region code) of a local authority."""
        county = self._county_of.get(lad_code)
        return (county[0] if county else None), self._lads.get(lad_code, {}).get("region_code")

    def county_tier(self, code: str) -> str:
        """Return the county tier of a county's or combined authority's code: a county inside
        a combined authority is in that authority's tier, as its districts are."""
        area = self._areas.get(code)
        if area is None or area.kind != "county" or not area.lad_codes:
            return code
        return self._county_of.get(min(area.lad_codes), (code,))[0]

    def place_of_buyer(self, name: str | None) -> Place | None:
        """Place a council that gave no postcode by the area its name names, at that area's
        centre: "Chorley Borough Council" -> Chorley, "Lancashire County Council" -> the county;
        a town or parish council by its town's wards ("Nantwich Town Council" -> Cheshire East).

        A police force, fire service or NHS body is placed in the area its name names
        (`place_of_service`). None for a name that is not one of these, or names no area.
        """
        text = _name_words(name or "")
        if not _COUNCIL.search(text):
            return self.place_of_service(name)
        if text not in self._council_places:  # importers ask once per notice; names repeat
            town = _TOWN_COUNCIL.search(text)
            # A town's council by its wards: "Ashford Town Council" is Surrey's, not Kent's.
            self._council_places[text] = (
                self._town_place(town.group(1)) if town else self._council_place(text)
            )
        return self._council_places[text]

    @cached_property
    def _council_places(self) -> dict[str, Place | None]:
        return {}

    def place_of_service(self, name: str | None) -> Place | None:
        """Place a police force, police and crime commissioner, fire service or NHS body in the
        area its name names, at that area's centre: "West Yorkshire Police" and "POLICE & CRIME
        COMMISSIONER FOR WEST YORKSHIRE" in West Yorkshire, "Merseyside Fire & Rescue Authority"
        in the Liverpool City Region, "North Wales Police" in Wales, "Blackpool Teaching
        Hospitals NHS Foundation Trust" in Blackpool (where it is based, as a supplier's address
        places it, though its patients come from the Fylde too).

        None unless every word but the service's is the area's: "Police Digital Service", "North
        West Fire Control Ltd", "Protec Fire Detection plc" and "NHS Supply Chain" are not
        placed."""
        text = _name_words(name or "")
        own_words = next((words for kind, words in _SERVICES if kind.search(text)), None)
        if own_words is None:
            return None
        if text not in self._council_places:  # asked once per notice and per ledger name
            self._council_places[text] = self._service_place(text, own_words)
        return self._council_places[text]

    def _service_place(self, text: str, own_words: frozenset[str]) -> Place | None:
        words = [w for w in text.split() if w not in own_words]
        half = len(words) // 2
        if words and words[:half] == words[half:]:  # "PCC for North Wales Police and North
            words = words[:half]                     # Wales Police": the force and its PCC
        rest = " ".join(words)
        if not rest:
            return None
        if rest in _SERVICE_AREAS:
            kind, area_name = _SERVICE_AREAS[rest]
            area = next((a for a in self._areas.values()
                         if a.kind == kind and a.name == area_name), None)
        else:
            area = self._service_areas.get(rest)
        return None if area is None else self._place_in(area)

    @cached_property
    def _service_areas(self) -> dict[str, Area]:
        """Areas by their name's words, joining words left out ("city london"): a local
        authority before a county, combined authority, former area or region of that name."""
        found: dict[str, Area] = {}
        rank = {"local_authority": 0, "county": 1, "combined_authority": 2}
        areas = sorted(self._areas.values(), key=lambda a: (rank.get(a.kind, 4), a.code))
        for area in [*areas, *self._former_counties.values()]:
            words = " ".join(w for w in _area_words(area).split() if w not in _JOINS)
            found.setdefault(words, area)
        for words, area in self._short_area_names.items():
            found.setdefault(" ".join(w for w in words.split() if w not in _JOINS), area)
        return found

    def _council_place(self, text: str) -> Place | None:
        for pattern, area in self._area_patterns:
            if pattern.search(text):
                return self._place_in(area)
        # A misspelt name ("Westminister City Council"): the words left once the council's
        # own are taken out, against today's local authorities' names, only when nearly alike.
        rest = " ".join(w for w in text.split() if w not in _COUNCIL_WORDS)
        if len(rest) < 6:
            return None
        found = process.extractOne(
            rest, self._authority_names, scorer=fuzz.ratio, score_cutoff=FUZZY_COUNCIL_SCORE
        )
        return self._place_in(self._areas[found[2]]) if found else None

    @cached_property
    def _authority_names(self) -> dict[str, str]:
        """Today's local authorities' names as text writes them, by code."""
        return {
            code: _area_words(area)
            for code, area in self._areas.items()
            if area.kind == "local_authority"
        }

    def _town_place(self, town: str) -> Place | None:
        """Place a town, parish or community council in the local authority whose wards are
        named after its town ("Nantwich Town Council": Nantwich North and West, in Cheshire
        East), at that authority's centre: the authority with at least twice as many such
        wards as any other ("Frome": six in Somerset, one "Frome Vale" in Bristol). None where
        no authority stands out so, where no ward carries the name, or where the one ward that
        does only begins with it ("Colne Valley" is Kirklees's; Colne is in Pendle)."""
        wards: Counter = Counter()
        own: set[str] = set()  # authorities with a ward of the town's own name
        for words, lad in self._ward_lads:
            if words == town or words.startswith(town + " "):
                wards[lad] += 1
                rest = words[len(town):].split()
                # "Altham", "Kirkham North", "Heath Charnock and Rivington"; not "Colne Valley"
                if not rest or rest[0] in ("and", "with") or rest[0] in WARD_PARTS:
                    own.add(lad)
        ranked = wards.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] < 2 * ranked[1][1]):
            return None
        if ranked[0][1] == 1 and ranked[0][0] not in own:
            return None  # "Colne Valley" (Kirklees) alone is not Colne (Pendle)
        return self._place_in(self._areas[ranked[0][0]])

    @cached_property
    def _ward_towns(self) -> set[str]:
        """The places wards are parts of, where a ward's name says so: "kirkham" of "Kirkham
        North", "bamber bridge" of "Bamber Bridge East", "attenborough" and
        "chilwell" of "Attenborough and Chilwell East". A ward named for itself ("Park", "Moss
        Side") names no other place."""
        towns = set()
        for name in {name for name, _ in self._ward_lads}:
            words = name.split()
            if len(words) < 2 or words[-1] not in WARD_PARTS:
                continue
            for part in re.split(r" and | with ", name):
                words = part.split()
                while words and words[-1] in WARD_PARTS:
                    words.pop()
                while words and words[0] in WARD_PARTS:
                    words.pop(0)
                if words:
                    towns.add(" ".join(words))
        return towns

    @cached_property
    def _ward_lads(self) -> list[tuple[str, str]]:
        """(ward name words, today's local authority) for every 2019 ward."""
        if not self.available:
            return []
        wards = []
        for row in self._read_csv("ons_ward_lad_county_region_country_dec2019.csv"):
            lad = self._lads.get(row["LAD19CD"])
            if lad is None:
                continue
            code = lad["successor"] or row["LAD19CD"]
            if code in self._areas:
                wards.append((_name_words(row["WD19NM"]), code))
        return wards

    def _place_in(self, area: Area) -> Place | None:
        """A council's place: the centre of its area's districts, with its area codes."""
        codes = [c for c in area.lad_codes if c in self._lads]
        points = [p for p in map(self._centre_of, codes) if p is not None]
        if not points:
            return None
        if area.kind == "local_authority":
            lad = area.code
        elif area.kind == "former_local_authority":
            # "Allerdale Borough Council": at the old district's centre, in today's area.
            lad = self._lads[area.code]["successor"]
        else:
            lad = None
        county, region = (None, None) if lad is None else self.wider_area_of(lad)
        if lad is None:
            # A county: its tier is its combined authority's where it is in one, as its
            # districts' is. A former county: no county code of today's areas.
            county = (
                self.county_tier(area.code)
                if area.kind in ("county", "combined_authority")
                else None
            )
            region = self._lads[codes[0]]["region_code"] or None
        latitude, longitude = _mean_point(points)
        return Place(
            postcode="",
            district="",
            latitude=latitude,
            longitude=longitude,
            lad_code=lad,
            lad_name=self._lads[lad]["name"] if lad in self._lads else None,
            county_code=county,
            county_name=self.area_name(county),
            region_code=region,
            region_name=self.area_name(region),
            country=self._lads[codes[0]]["country"],
            precision="area",
        )

    def _centre_of(self, lad_code: str) -> tuple[float, float] | None:
        """A local authority's centre, else (a district without one) its successor's."""
        lad = self._lads[lad_code]
        if lad["centre"] is None and lad["successor"] in self._lads:
            return self._lads[lad["successor"]]["centre"]
        return lad["centre"]

    @cached_property
    def _area_patterns(self) -> list[tuple[re.Pattern, Area]]:
        """Councils' areas by name, longest first ("West Lancashire" before "Lancashire"), a
        local authority before a county of the same name."""
        former_lads = [
            Area(code, lad["name"], "former_local_authority", {code})
            for code, lad in self._lads.items()
            if lad["successor"]
        ]
        rank_of = {"local_authority": 0, "former_local_authority": 1}
        named = []
        for area in [*self._areas.values(), *former_lads, *self._former_counties.values()]:
            if area.kind == "region":
                continue
            words = _area_words(area)
            if len(words) >= 4:
                named.append((-len(words), rank_of.get(area.kind, 2), words, area))
        full = {item[2] for item in named}
        for words, area in self._short_area_names.items():
            if words not in full and len(words) >= 4:
                named.append((-len(words), 0, words, area))
        named.sort(key=lambda item: item[:3])
        return [(re.compile(r"\b" + re.escape(w) + r"\b"), a) for _, _, w, a in named]

    @cached_property
    def _short_area_names(self) -> dict[str, Area]:
        """Shorter names of today's local authorities, where no other area could be meant by
        them: "Stockton" is Stockton-on-Tees, "Durham" County Durham, "Hull" Kingston upon
        Hull; "Kingston" is two areas' and stays unread."""
        full = {words for area in self._areas.values()
                for words in (_area_words(area), _name_words(area.name))}
        short: dict[str, list[Area]] = {}
        for area in self._areas.values():
            if area.kind == "local_authority":
                for words in _short_names(area.name):
                    short.setdefault(words, []).append(area)
        for words, code in _COUNCIL_ALIASES.items():
            if code in self._areas:
                short.setdefault(words, []).append(self._areas[code])
        return {words: found[0] for words, found in short.items()
                if len(found) == 1 and words not in full}

    def area_of_district(self, district: str) -> str | None:
        """Return the modal local authority of a postcode district (e.g. PR1)."""
        row = self._districts.get(district.upper())
        return row[2] if row else None

    # --- loading (lazy, once per process) -----------------------------------------------------

    def _read_csv(self, name: str) -> list[dict]:
        with open(self.root / name, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    @cached_property
    def _lads(self) -> dict[str, dict]:
        if not self.available:
            return {}
        lads = {}
        for row in self._read_csv("local_authority_districts.csv"):
            lads[row["lad_code"]] = {
                "name": row["lad_name"],
                "country": row["country"],
                "region_code": row["region_code"] or COUNTRY_CODES.get(row["country"], ""),
                "region_name": row["region_name"] or row["country"],
                "successor": row["successor_lad_code"],
                "centre": (
                    (float(row["centroid_lat"]), float(row["centroid_long"]))
                    if row.get("centroid_lat") and row.get("centroid_long")
                    else None
                ),
            }
        # A unitary formed since the centroids were published (Cumberland, North Yorkshire,
        # Somerset, 2023) is centred on the districts it replaced.
        for code, lad in lads.items():
            if lad["centre"] is None:
                points = [
                    old["centre"]
                    for old in lads.values()
                    if old["successor"] == code and old["centre"] is not None
                ]
                if points:
                    lad["centre"] = _mean_point(points)
        return lads

    @property
    def _county_of(self) -> dict[str, tuple[str, str]]:
        """Map a LAD to its county tier: its combined authority where it is in one (a combined
        authority holds whole counties), else its county (two-tier areas)."""
        return self._counties[0]

    @property
    def _former_counties(self) -> dict[str, Area]:
        """Counties whose districts have all been merged into unitaries (Cumbria,
        Northamptonshire): councils' old names still name them."""
        return self._counties[1]

    @property
    def _shire_county_of(self) -> dict[str, tuple[str, str]]:
        """Map a district of a two-tier area to its county, inside a combined authority too."""
        return self._counties[2]

    @cached_property
    def _counties(self):
        if not self.available:
            return {}, {}, {}
        county: dict[str, tuple[str, str]] = {}
        former: dict[str, Area] = {}
        for row in self._read_csv("ons_ward_lad_county_region_country_dec2019.csv"):
            # Shire counties only: metropolitan counties are covered by combined authorities.
            # A district since merged into a unitary has left its county (Cumbria, 2023).
            lad = row["LAD19CD"]
            if not row["CTY19CD"].startswith("E10"):
                continue
            if self._lads.get(lad, {}).get("successor"):
                area = former.setdefault(
                    row["CTY19CD"], Area(row["CTY19CD"], row["CTY19NM"], "former_county")
                )
                area.lad_codes.add(lad)
            else:
                county[lad] = (row["CTY19CD"], row["CTY19NM"])
        for code in {c for c, _ in county.values()}:
            former.pop(code, None)  # some of its districts remain: the county stands
        combined = {
            row["LAD24CD"]: (row["CAUTH24CD"], row["CAUTH24NM"])
            for row in self._read_csv("ons_lad_to_combined_authority_may2024.csv")
        }
        for code, (name, members) in NEWER_COMBINED_AUTHORITIES.items():
            for member in members:
                lads = [lad for lad, (c, _) in county.items() if c == member] or [member]
                for lad in lads:
                    if lad in self._lads:
                        combined.setdefault(lad, (code, name))
        return {**county, **combined}, former, county

    @cached_property
    def _areas(self) -> dict[str, Area]:
        areas: dict[str, Area] = {}
        for code, lad in self._lads.items():
            if lad["successor"]:
                continue
            areas[code] = Area(code, lad["name"], "local_authority", {code})
            if lad["region_code"]:
                region = areas.setdefault(
                    lad["region_code"], Area(lad["region_code"], lad["region_name"], "region")
                )
                region.lad_codes.add(code)
        # Counties stay areas of their own (a gap report or filter for Lancashire) inside a
        # combined authority.
        for mapping in (self._shire_county_of, self._county_of):
            for lad_code, (code, name) in mapping.items():
                kind = "combined_authority" if code.startswith("E47") else "county"
                areas.setdefault(code, Area(code, name, kind)).lad_codes.add(lad_code)
        return areas

    @cached_property
    def _lad_names(self) -> list[str]:
        return list(self._units["lad_names"]) if self._units is not None else []

    @cached_property
    def _towns(self) -> set[str]:
        """Names of towns and cities ("leyland", "lytham st annes"): the places Co-operatives
        UK's open data gives as its co-ops' addresses, where those files are present."""
        towns = set()
        if self.root is None:
            return towns
        for name, column in TOWN_COLUMNS:
            path = self.root.parent / "coops" / name
            if not path.is_file():
                continue
            with open(path, encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    for part in (row.get(column) or "").split(","):
                        if part.strip() and not any(c.isdigit() for c in part):
                            towns.add(_name_words(part))
        return towns - {""}

    @cached_property
    def _districts(self) -> dict[str, tuple[float, float, str]]:
        if not self.available:
            return {}
        districts = {}
        for row in self._read_csv("postcode_districts_gb.csv"):
            if row["latitude"] and row["longitude"]:
                districts[row["outcode"]] = (
                    float(row["latitude"]),
                    float(row["longitude"]),
                    row["lad_code"],
                )
        return districts

    @cached_property
    def _units(self) -> dict | None:
        source = self.root / POSTCODES_FILE if self.root else None
        if not source or not source.is_file():
            return None
        with self._lock:
            cache = self._cache_path(source)
            if cache and cache.is_file():
                with np.load(cache, allow_pickle=False) as data:
                    return {k: data[k] for k in data.files}
            units = _parse_units(source)
            if cache:
                cache.parent.mkdir(parents=True, exist_ok=True)
                # A file of its own: two workers starting at once must not rename (or
                # truncate) each other's half-written cache.
                handle, name = tempfile.mkstemp(
                    prefix=f".{cache.stem}.", suffix=".tmp.npz", dir=cache.parent
                )
                try:
                    with os.fdopen(handle, "wb") as tmp:
                        np.savez(tmp, **units)
                    os.replace(name, cache)
                except BaseException:
                    Path(name).unlink(missing_ok=True)
                    raise
            return units

    def _cache_path(self, source: Path) -> Path | None:
        if not self.cache_dir:
            return None
        stat = source.stat()
        tag = hashlib.sha1(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:12]
        return self.cache_dir / f"postcodes-v{CACHE_VERSION}-{tag}.npz"


def _parse_units(source: Path) -> dict:
    """Parse the Code-Point Open postcode file into sorted arrays."""
    keys, lats, lons, lad_idx = [], [], [], []
    lad_index: dict[str, int] = {}
    with gzip.open(source, "rb") as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        header = next(reader)
        pc_i, lat_i, lon_i, lad_i = (
            header.index("postcode"),
            header.index("latitude"),
            header.index("longitude"),
            header.index("lad_code"),
        )
        for row in reader:
            keys.append(row[pc_i].replace(" ", ""))
            lats.append(float(row[lat_i]) if row[lat_i] else np.nan)
            lons.append(float(row[lon_i]) if row[lon_i] else np.nan)
            lad_idx.append(lad_index.setdefault(row[lad_i], len(lad_index)))
    keys_arr = np.array(keys, dtype="S8")
    order = np.argsort(keys_arr, kind="stable")
    return {
        "keys": keys_arr[order],
        "lat": np.array(lats, dtype=np.float32)[order],
        "lon": np.array(lons, dtype=np.float32)[order],
        "lad": np.array(lad_idx, dtype=np.uint16)[order],
        "lad_names": np.array(list(lad_index), dtype="U9"),
    }


_references: dict[tuple[str, str], GeoReference] = {}


def load_reference(data_dir: str | None, cache_dir: str | None) -> GeoReference:
    """Return the shared GeoReference for a data directory (created on first use)."""
    key = (str(data_dir or ""), str(cache_dir or ""))
    if key not in _references:
        _references[key] = GeoReference(data_dir, cache_dir)
    return _references[key]
