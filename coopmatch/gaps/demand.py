"""Demand: what anchors buy, how much a year, how often, and when they next buy it.

A notice's value is spread over its contract: from its own dates when it has both; else over
the length its words state ("a contract period of 3 years with the option to extend for a
further 2 years", "a 24-month contract", "Bulky Waste Service 2024 - 2027"); else over the
typical length of its CPV group's dated notices (their median, when there are enough of
them), else of its division, else one year. Contracts shorter than a year count
whole in their year; longer ones are capped (placeholder end dates such as 2099 would otherwise
make the demand vanish); a framework with no dates runs four years.

Re-buying the same thing is one need, not several: notices of one buyer in one CPV group whose
contracts follow each other (rather than run side by side) form a *stream*, and a stream's
demand a year is the mean of its notices', so three yearly £100,000 laundry contracts are
£100,000 a year, not £300,000. Each notice carries its share of its stream (its £ a year over
the stream's length), so any set of notices (a gap, a sector, the covered part) adds up.
"""

import dataclasses
import functools
import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from coopmatch.gaps.types import NOT_DEMAND, UNCLASSIFIED, DemandItem, GapSettings

DAYS_A_YEAR = 365.25
# Re-procurements often overlap the contract they replace by a few weeks.
STREAM_OVERLAP_DAYS = 62


@dataclass
class AnnualValue:
    """A notice's value a year, and how it was worked out (for the card's footnotes)."""

    gbp: float  # £ a year
    contract_gbp: float  # the contract's whole value
    years: float  # the years it was spread over
    basis: str  # "contract dates", "typical length of CPV group 983 (7 notices)", ...
    start: date | None  # the contract period used (from dates, else estimated)
    end: date | None

    def to_dict(self) -> dict:
        return {
            "gbp_a_year": round(self.gbp, 2),
            "contract_gbp": round(self.contract_gbp, 2),
            "years": round(self.years, 2),
            "basis": self.basis,
            "start": _iso(self.start),
            "end": _iso(self.end),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def sector_of(code: str | None, digits: int) -> str:
    """Return the CPV division (2 digits) or group (3 digits) of a code."""
    if not code or len(code) < digits or not code[:digits].isdigit():
        return UNCLASSIFIED
    return code[:digits]


def contract_years(start: date | None, end: date | None) -> float | None:
    """Return a contract's length in years from its dates (None unless both are sane)."""
    if start is None or end is None or end < start:
        return None
    return ((end - start).days + 1) / DAYS_A_YEAR


_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty four": 24,
          "thirty six": 36, "forty eight": 48, "sixty": 60}
_NUMBER = (r"(\d{1,3}(?:\s*\+\s*\d{1,3}){0,3}|one|two|three|four|five|six|seven|eight|nine|"
           r"ten|twelve|eighteen|twenty[- ]four|thirty[- ]six|forty[- ]eight|sixty)")
_UNIT = r"\s*(?:\(\d{1,3}\)\s*)?[- ]?(years?|yrs?|months?)\b"  # "two (2) years", "24-month"
_TERM = (r"(?<!long )(?<!long-)(?<!short )(?<!short-)"  # not a "long term plan"
         r"(?:contract|term|period|duration|agreement|framework|dps|arrangement)")
# "a contract period of 3 years", "the framework will run for four (4) years"
_AFTER_TERM = re.compile(r"\b" + _TERM + r"\b[^.;:]{0,40}?(?<![\w+-])" + _NUMBER + _UNIT, re.I)
# "a 3 year contract", "a three-year framework", "a 24-month initial term"
_BEFORE_TERM = re.compile(r"(?<![\w+-])" + _NUMBER + r"[- ](year|month)s?\s+(?:initial\s+)?"
                          + _TERM + r"\b", re.I)
_EXTENSION = re.compile(r"\b(?:extend|extension|extensions|extending)\b[^.;:]{0,50}?"
                        r"(?<![\w+-])" + _NUMBER + _UNIT, re.I)
_PLUS = re.compile(r"(?<![\w+-])(\d{1,2}(?:\s*\+\s*\d{1,2}){1,3})" + _UNIT, re.I)  # "3+1+1 years"
_MORE = re.compile(r"\b(?:further|additional|extend|extension|extending|possible|option)\b",
                   re.I)
_TOTAL = re.compile(r"\b(?:total|maximum period|overall)\b", re.I)
_FURTHER = re.compile(r"\b(?:further|additional)\b", re.I)
_YEARS = re.compile(r"(?<!\d)(20\d\d)\s*(?:-|–|/|to)\s*(20\d\d|\d\d)(?!\d)")  # "2024 - 2027"


def _stated(match: re.Match) -> float | None:
    """The years a matched number and unit say ("3+1+1" years is 5)."""
    number = match.group(1).lower().replace("-", " ")
    if "+" in number:
        count = sum(int(part) for part in number.split("+"))
    else:
        count = int(number) if number.isdigit() else _WORDS.get(number)
    if not count:
        return None
    return count / 12 if match.group(2).lower().startswith("m") else float(count)


@functools.lru_cache(maxsize=8192)  # a report reads each notice twice, and reports repeat
def stated_length(title: str, description: str, published: date | None = None,
                  longest: float = 15.0) -> tuple[float, str] | None:
    """Return the contract length a notice's words state, in years, and the words that state
    it; None if they state none.

    The first term stated ("a contract period of 3 years", "a 24-month contract"), with the
    extension stated after it ("... with the option to extend for a further 2 years": 5
    years; the notice's value covers the options); else a sum like "3+1+1 years"; else a
    span of years in the title ("Bulky Waste Service 2024 - 2027") that starts within two
    years of publication. A number that only extends ("a further 12 months"), or over
    `longest` years, is no contract length."""
    text = f"{title}. {description or ''}"
    found = sorted((m for pattern in (_AFTER_TERM, _BEFORE_TERM) for m in pattern.finditer(text)),
                   key=lambda m: m.start())
    for match in found:
        years = _stated(match)
        if years is None or _MORE.search(match.group(0)) or not 0 < years <= longest:
            continue
        quote = match.group(0).strip()
        extension = None if "+" in match.group(1) else _EXTENSION.search(text, match.end())
        if extension is not None and extension.start() - match.end() < 200:
            span, more = extension.group(0), _stated(extension) or 0.0
            # "... extend annually to a maximum period of three years": the whole term.
            whole = _TOTAL.search(span) and not _FURTHER.search(span)
            total = more if whole else years + more
            if years < total <= longest:
                return total, f"{quote} … {extension.group(0).strip()}"
        return years, quote
    for match in _PLUS.finditer(text):
        years = _stated(match)
        if years and years <= longest \
                and not _MORE.search(text[max(0, match.start() - 40):match.start()]):
            return years, match.group(0).strip()
    span = _YEARS.search(title)
    if span:
        start, end = int(span.group(1)), int(span.group(2))
        end += 2000 if end < 100 else 0
        if 1 <= end - start <= longest and (published is None
                                            or abs(start - published.year) <= 2):
            return float(end - start), span.group(0)
    return None


def known_years(item: DemandItem, settings: GapSettings) -> tuple[float, str] | None:
    """A notice's contract length from its dates, else from its words; None if neither says."""
    years = contract_years(item.contract_start, item.contract_end)
    if years is not None:
        if years > settings.max_contract_years:
            return settings.max_contract_years, (
                f"contract dates, capped at {settings.max_contract_years:g} years")
        return years, "contract dates"
    stated = stated_length(item.title, item.description or "", item.published,
                           settings.max_contract_years)
    if stated is not None:
        years, words = stated
        return years, f"length stated in the notice: \u201c{words}\u201d"
    return None


def typical_years(items: list[DemandItem], settings: GapSettings) -> dict[str, tuple[float, int]]:
    """Return the median contract length (years, examples) by CPV group and division, over the
    notices with contract dates. Lengths only their words state are left out: these are most
    often a year's programme ("Re-Roofing 2022/23"), and would make a group's one-off projects
    a year long."""
    lengths: dict[str, list[float]] = defaultdict(list)
    for item in items:
        years = contract_years(item.contract_start, item.contract_end)
        code = item.main_cpv
        if years is None or not code or item.framework:
            continue
        years = min(years, settings.max_contract_years)
        lengths[code[:3]].append(years)
        lengths[code[:2]].append(years)
    return {
        prefix: (statistics.median(found), len(found))
        for prefix, found in lengths.items()
        if len(found) >= settings.typical_min_examples
    }


def annual_value(
    item: DemandItem,
    settings: GapSettings | None = None,
    typical: dict[str, tuple[float, int]] | None = None,
) -> AnnualValue | None:
    """Return a notice's £ a year (None when it has no value)."""
    settings = settings or GapSettings()
    value = item.contract_value
    known = known_years(item, settings)
    if known is not None:
        years, basis = known
    elif item.framework:
        years, basis = settings.framework_years, "framework ceiling, no dates"
    else:
        years, basis = _typical(item, settings, typical or {})
    spread = max(years, settings.min_contract_years)
    start, end = _period(item, years)
    if value is None:
        return None
    if item.framework and "framework" not in basis:
        basis += " (framework ceiling)"
    return AnnualValue(value / spread, value, spread, basis, start, end)


def _typical(item, settings, typical) -> tuple[float, str]:
    code = item.main_cpv or ""
    for digits, level in ((3, "group"), (2, "division")):
        found = typical.get(code[:digits]) if len(code) >= digits else None
        if found:
            years, examples = found
            return years, f"typical length of CPV {level} {code[:digits]} ({examples} notices)"
    years = settings.default_contract_years
    return years, f"no dates: {years:g} year{'s' if years != 1 else ''} assumed"


def _period(item: DemandItem, years: float) -> tuple[date | None, date | None]:
    """Return the contract period: its own dates, else estimated from what is known."""
    length = timedelta(days=max(round(years * DAYS_A_YEAR) - 1, 0))
    start, end = item.contract_start, item.contract_end
    if start and end and end >= start:
        return start, end
    if start:
        return start, start + length
    if end:
        return end - length, end
    if item.published:
        return item.published, item.published + length
    return None, None


def is_demand(item: DemandItem) -> bool:
    return (item.status or "").lower() not in NOT_DEMAND


def in_period(
    item: DemandItem, annual: AnnualValue | None, start: date | None, end: date | None
) -> bool:
    """Return whether a notice was published, or its contract runs, within [start, end]."""
    if start is None and end is None:
        return True
    published = item.published
    if published and (start is None or published >= start) and (end is None or published <= end):
        return True
    runs_from = annual.start if annual else item.contract_start
    runs_to = annual.end if annual else item.contract_end
    if runs_from is None or runs_to is None:
        return False
    return (end is None or runs_from <= end) and (start is None or runs_to >= start)


def stream_shares(
    items: list[DemandItem], annuals: dict[tuple, AnnualValue | None]
) -> tuple[dict[tuple, float], dict[tuple, int]]:
    """Return each notice's share of its stream's £ a year, and its stream number."""
    by_need: dict[tuple, list[DemandItem]] = defaultdict(list)
    lone = []
    for item in items:
        annual = annuals.get(item.key)
        buyer = item.buyer_id if item.buyer_id is not None else (item.buyer_name or "").lower()
        if annual is None or annual.start is None or buyer in (None, ""):
            lone.append(item)
        else:
            by_need[(buyer, sector_of(item.main_cpv, 3))].append(item)
    streams: list[list[DemandItem]] = [[item] for item in lone]
    for need in by_need.values():
        open_streams: list[tuple[date, list[DemandItem]]] = []
        for item in sorted(need, key=lambda i: (annuals[i.key].start, i.tender_id, i.lot_id or 0)):
            annual = annuals[item.key]
            latest = annual.start + timedelta(days=STREAM_OVERLAP_DAYS)
            # Follow on from the stream that ended last before this contract began.
            fits = [k for k, (ends, _) in enumerate(open_streams) if ends <= latest]
            if fits:
                k = max(fits, key=lambda k: open_streams[k][0])
                open_streams[k][1].append(item)
                open_streams[k] = (max(annual.end, open_streams[k][0]), open_streams[k][1])
            else:
                open_streams.append((annual.end, [item]))
        streams.extend(members for _, members in open_streams)
    shares, stream_of = {}, {}
    for number, members in enumerate(streams):
        for item in members:
            annual = annuals.get(item.key)
            shares[item.key] = annual.gbp / len(members) if annual else 0.0
            stream_of[item.key] = number
    return shares, stream_of


@dataclass
class Recurrence:
    """Whether a need is bought again: by year, by several anchors, or by the notice's word."""

    recurring: bool
    years: list[int]
    anchors: int
    rebought: int  # streams of two or more contracts
    flagged: int  # notices marked recurring
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "recurring": self.recurring,
            "years": self.years,
            "anchors": self.anchors,
            "rebought": self.rebought,
            "flagged": self.flagged,
            "reasons": self.reasons,
        }


def recurrence(
    items: list[DemandItem],
    annuals: dict[tuple, AnnualValue | None],
    stream_of: dict[tuple, int],
) -> Recurrence:
    """Return how a set of notices (one need) recurs."""
    years = sorted({d.year for d in (_when(i, annuals) for i in items) if d})
    anchors = {_buyer_key(i) for i in items} - {None}
    streams: dict[int, set[int]] = defaultdict(set)
    for item in items:
        when = _when(item, annuals)
        if when:
            streams[stream_of.get(item.key, -1)].add(when.year)
    rebought = sum(1 for k, found in streams.items() if k >= 0 and len(found) >= 2)
    flagged = sum(1 for i in items if i.recurring)
    reasons = []
    if rebought:
        reasons.append(
            f"bought again in later years ({', '.join(str(y) for y in years)})"
            if len(years) > 1
            else "bought again"
        )
    elif len(years) > 1:
        reasons.append(f"bought in {len(years)} different years ({years[0]} to {years[-1]})")
    if len(anchors) > 1:
        reasons.append(f"bought by {len(anchors)} anchors")
    if flagged:
        reasons.append(f"{flagged} notice{'s' if flagged != 1 else ''} marked recurring")
    return Recurrence(bool(reasons), years, len(anchors), rebought, flagged, reasons)


def _when(item: DemandItem, annuals) -> date | None:
    annual = annuals.get(item.key)
    return item.contract_start or item.published or (annual.start if annual else None)


def _buyer_key(item: DemandItem):
    if item.buyer_id is not None:
        return item.buyer_id
    return (item.buyer_name or "").lower() or None


@dataclass
class DemandSummary:
    """The figures of a set of notices, each traceable to `notice_ids`."""

    gbp_a_year: float
    contract_gbp: float  # the notices' whole values added up
    anchors: list[str]
    notices: int
    valued_notices: int  # with a value (the rest add nothing to £)
    typical_lot_gbp: float | None  # the median contract (or lot) value
    largest_lot_gbp: float | None
    recurrence: Recurrence
    next_window: date | None  # the next contract end from today: the next re-procurement
    open_now: int  # notices open or planned now (their window is now)
    contract_ends: list[tuple[str, str]]  # (end date, notice id), soonest first
    notice_ids: list[str]

    @property
    def anchor_count(self) -> int:
        return len(self.anchors)

    @property
    def recurring(self) -> bool:
        return self.recurrence.recurring

    def to_dict(self) -> dict:
        return {
            "gbp_a_year": round(self.gbp_a_year, 2),
            "contract_gbp": round(self.contract_gbp, 2),
            "anchors": self.anchors,
            "anchor_count": self.anchor_count,
            "notices": self.notices,
            "valued_notices": self.valued_notices,
            "typical_lot_gbp": _round(self.typical_lot_gbp),
            "largest_lot_gbp": _round(self.largest_lot_gbp),
            "recurring": self.recurring,
            "recurrence": self.recurrence.to_dict(),
            "next_window": _iso(self.next_window),
            "open_now": self.open_now,
            "contract_ends": [{"end": e, "notice_id": n} for e, n in self.contract_ends],
            "notice_ids": self.notice_ids,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(
    items: list[DemandItem],
    annuals: dict[tuple, AnnualValue | None],
    shares: dict[tuple, float],
    stream_of: dict[tuple, int],
    today: date,
) -> DemandSummary:
    """Return the demand figures of a set of notices."""
    values = [v for v in (i.contract_value for i in items) if v is not None]
    anchors = sorted({i.buyer_name or f"Buyer {i.buyer_id}" for i in items})
    # Only ends the notices state: an estimated end is no date to plan a re-procurement by.
    ends = sorted((i.contract_end, i.notice_id) for i in items if i.contract_end)
    upcoming = [end for end, _ in ends if end >= today]
    return DemandSummary(
        gbp_a_year=sum(shares.get(i.key, 0.0) for i in items),
        contract_gbp=sum(values),
        anchors=anchors,
        notices=len(items),
        valued_notices=len(values),
        typical_lot_gbp=statistics.median(values) if values else None,
        largest_lot_gbp=max(values) if values else None,
        recurrence=recurrence(items, annuals, stream_of),
        next_window=min(upcoming) if upcoming else None,
        open_now=sum(1 for i in items if (i.status or "").lower() in ("open", "planned")),
        contract_ends=[(end.isoformat(), notice) for end, notice in ends],
        notice_ids=[i.notice_id for i in items],
    )


# A suggested code is used for a notice with none at this confidence or more. On 2,057 real
# coded notices (bench/cpv_suggest_quality.py, five splits) the first suggestion at 0.4 or more
# (13% of notices) is in the buyer's own CPV group for 80%; at 0.55 or more (9%) for 82%, at
# 0.25 or more (22%) for 76%, and below 0.1 (over half) for 31%, so those stay unclassified.
SUGGESTED_CPV_CONFIDENCE = 0.4


def classify_uncoded(
    items: list[DemandItem],
    suggest: Callable[[str], list[tuple[str, str, float]]],
    min_confidence: float = SUGGESTED_CPV_CONFIDENCE,
) -> list[DemandItem]:
    """Give demand without a CPV code the code suggested from its text, marked as suggested.

    `suggest` takes a text and returns (code, description, confidence) best first (the CPV
    suggester's `suggest`). Items with codes, and those the suggestion is too unsure of, are
    returned as they are.
    """
    classified = []
    for item in items:
        if not item.cpv_codes:
            found = suggest(f"{item.title}. {item.description}")
            if found and found[0][2] >= min_confidence:
                item = dataclasses.replace(item, cpv_codes=[found[0][0]], cpv_suggested=True)
        classified.append(item)
    return classified
