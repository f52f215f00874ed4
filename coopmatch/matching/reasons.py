"""Reasons a person can read: a kind, a sentence, and the figures behind it."""

import math
import re
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from coopmatch.matching.signals import CPV_LEVEL_NAMES, TIER_NAMES, linked_sic_divisions, sic_fit
from coopmatch.matching.text import phrases_not_written, singular, spelled, street_names
from coopmatch.matching.types import Reason

# "It has delivered a contract N km from here" is said up to this distance.
WORKED_NEAR_KM = 50.0
TIER_TEXT = {
    "local_authority": "in the same local authority",
    "county": "in the same county or combined authority",
    "region": "in the same region",
}
OWNERSHIP_TEXT = {
    "worker_coop": "a worker co-operative",
    "consumer_coop": "a consumer co-operative",
    "multi_stakeholder_coop": "a multi-stakeholder co-operative",
    "community_benefit_society": "a community benefit society",
    "employee_owned": "employee-owned",
    "social_enterprise": "a social enterprise",
    "charity": "a charity",
}


def money(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "unknown"
    if value >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million".replace(".0 million", " million")
    return f"£{value:,.0f}"


# Words of the buying rather than the work: they count in the score like any word, but a reason
# listing them ("council tendering", "qualified experienced") tells the reader nothing.
NOT_EVIDENCE = frozenset(
    {
        "council",
        "councils",
        "borough",
        "county",
        "authority",
        "authorities",
        "tendering",
        "tenderers",
        "qualified",
        "experienced",
        "suitably",
        "invite",
        "invites",
        "invitation",
        "quotation",
        "quotations",
        "seeking",
        "rfq",
        "itt",
        "rfp",
        "documents",
        "required",
        "wishes",
        # How a notice is worded, not what it asks for ("currently", "to include", "terms").
        "currently",
        "undertake",
        "undertaking",
        "include",
        "includes",
        "including",
        "included",
        "terms",
        # How long the contract runs, not what it is for ("three years from September").
        "year",
        "years",
        "month",
        "months",
        "period",
        "duration",
        "initial",
        "extension",
        "extensions",
        "optional",
        "commencing",
        "approximately",
        "estimated",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
        "extend",
        "option",
        "options",
        "budget",
        # How the buyer asks and where to reply ("TPPL is inviting quotations", "register on
        # www.the-chest.org.uk", "see the specification", "deadline 22nd April").
        "inviting",
        "invited",
        "interested",
        "expressions",
        "looking",
        "appoint",
        "quote",
        "quotes",
        "behalf",
        "successful",
        "detailed",
        "fully",
        "ability",
        "commence",
        "deadline",
        "itq",
        "documentation",
        "specification",
        "specifications",
        "spec",
        "register",
        "associated",
        "org",
        "requires",
        "specifically",
        "instructions",
        "reference",
        "bid",
        "bids",
        "submit",
        "submitted",
        "submission",
        "submissions",
        "closing",
        "receipt",
        "published",
        "accessed",
        "portal",
        "pm",
        "noon",
        "sme",
        "smes",
        # How it is bought, not what: "a dynamic purchasing system (DPS)", "purchasing
        # consortium". A taxi DPS had listed demolition firms that won a works DPS.
        "dps",
        "dynamic",
        "purchasing",
        # A call-off ("calloff" as hyphened) still ranks firms on the framework it is let from.
        "calloff",
        "calloffs",
        # Who pays for the work, not what it is ("funded by the European Regional Development
        # Fund", "UK Shared Prosperity Fund").
        "european",
        "erdf",
        "ukspf",
        "prosperity",
        "levelling",
        # Buyers' procurement portals, named in notices as where to reply.
        "thechest",
        "duenorth",
        "procontract",
        "proactis",
        "intend",
        "bluelight",
        "jaggaer",
        "atamis",
        "mytenders",
        "contractsfinder",
        "findatender",
        "finder",  # "Contracts Finder", written apart
        # Public buying organisations, who buy for others ("TPPL ... NEPO HGV Lot 2"): who
        # buys, not what. A council's own initials ("LCC") are place words (geo.reference).
        "tppl",
        "nepo",
        "espo",
        "ypo",
        "ccs",
        "lhc",
        "lps",
        "pagabo",
        "fusion21",
        "eem",
        "nwupc",
        "neupc",
        "supc",
        "lupc",
        "apuc",
        "tuco",
        "hepcw",
        # How a notice or a firm's past notices are written ("documents can be downloaded",
        # "the work will be conducted", "tasked with", "sufficient capacity", "RM3731"): seen
        # among the demo's top fives, and no evidence of the work.
        "later",
        "quickly",
        "overcome",
        "efficiently",
        "discretion",
        "sought",
        "seeks",
        "wish",
        "outlined",
        "completing",
        "undertaken",
        "conducted",
        "downloaded",
        "arising",
        "appendix",
        "attached",
        "comprising",
        "focuses",
        "directly",
        "correspondence",
        "incl",
        "excl",
        "successfully",
        "tasked",
        "sufficient",
        "advert",
        "expression",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        # Of a place or a date: "Preston City Council", "St Anne's", "the 22nd".
        "city",
        "st",
        "th",
        "nd",
        "rd",
    }
)


# Words that say nothing on their own, though they do in a phrase ("information technology",
# "cleaning services"): not shown alone.
NOT_EVIDENCE_ALONE = frozenset({"information", "details", "further", "service", "services",
                                "work", "works", "new", "existing", "local", "area", "areas",
                                "public", "people", "project", "projects", "value", "various",
                                "range", "following", "set", "chest", "order", "access",
                                "deliver", "capabilities", "supplier", "suppliers",
                                "contractors", "partner", "district", "town", "link",
                                "completed", "current", "single", "number", "need", "use",
                                "key", "process", "subject", "day", "hours", "times", "meet",
                                "offer", "held", "note", "received", "search", "total",
                                "annual", "main", "body", "solution", "review", "future",
                                "located", "quality", "working", "stage", "stages",
                                "provider", "providers", "providing", "provided",
                                "delivering", "fund", "funded", "funding",
                                "regional", "development", "date", "dates", "carry", "owned",
                                "develop", "run", "phase", "place", "central", "company",
                                # How it is bought: "further competition", "appointment of",
                                # "completion by", "LPS CORP" (a council's corporate buying).
                                "competition", "appointment", "completion", "corp",
                                "framework", "frameworks", "agreement", "agreements",
                                "system", "systems",
                                # What any contract has: "supply of", "delivery of", "support
                                # to", "a scheme", "the programme", "the site", "products".
                                "supply", "delivery", "support", "resources", "products",
                                "product", "plan", "site", "sites", "business", "programme",
                                "scheme", "schemes", "improvements", "improvement",
                                "creation", "high", "capital", "term", "fixed", "units",
                                "schedule", "progress", "maximum", "minimum", "base",
                                "outcomes", "satisfactory",
                                # Said of any work: "additional", "the team", "based in",
                                # "open to", "small and medium", "capacity to".
                                "additional", "document", "reported", "potential", "assist",
                                "request", "issues", "extended", "time", "based", "basis",
                                "way", "making", "help", "comprehensive", "opportunity",
                                "opportunities", "right", "essential", "general", "wide",
                                "experience", "responsible", "performance", "team", "staff",
                                "officers", "engage", "prepare", "emerging", "acceptance",
                                "application", "capacity", "non", "open", "lead", "led",
                                "benefits", "demand", "proposed", "cover", "plus", "combined",
                                "shared", "small", "medium", "large"})
# A buyer's reference number ("DN775212", "RFQ 15315336"): six or more digits. Standards
# ("BS5839", "ISO14001") have fewer and stay evidence.
# Crown Commercial Service's framework numbers ("RM3731", "RM6187") are references too.
REFERENCE_NUMBER = re.compile(r"[a-z]*\d{6,}|rm\d{4}")


def shown_features(query_row: sp.csr_matrix, terms: np.ndarray,
                   hidden: frozenset[str] = frozenset()) -> np.ndarray:
    """Return the positions, among a query row's stored entries, of the terms that may be shown
    as evidence (neither the term nor any word of it in `hidden`, such as a place name, nor a
    word in NOT_EVIDENCE or a reference number, nor words of NOT_EVIDENCE_ALONE alone: not
    "delivery", nor "service delivery")."""
    return np.array([k for k, feature in enumerate(query_row.indices.tolist())
                     if _may_show(str(terms[feature]), hidden)], dtype=np.int64)


def _may_show(term: str, hidden: frozenset[str]) -> bool:
    if term in hidden:
        return False
    words = term.split()
    return not all(word in NOT_EVIDENCE_ALONE for word in words) and not any(
        word in hidden or word in NOT_EVIDENCE or REFERENCE_NUMBER.fullmatch(word)
        for word in words)


def not_shown(places, text: str | None) -> frozenset[str]:
    """Return what is not shown as a shared key term of a text: its place words (`places` is a
    geo.reference.PlaceWords), its street names' word pairs and the word pairs it does not write
    as a phrase."""
    return places.in_text(text) | street_names(text) | phrases_not_written(text)


def key_terms(
    query_row: sp.csr_matrix,
    doc_matrix_t: sp.csr_matrix,
    columns: np.ndarray,
    terms: np.ndarray,
    limit: int = 6,
    hidden: frozenset[str] = frozenset(),
) -> list[list[tuple[str, float]]]:
    """Return, for each document column, the shared terms that add most to its similarity.

    Terms with a word in `hidden` (place names: "lancashire" says where, not what) still
    count in the score but are not shown as evidence.
    """
    # The query's terms that may be shown, once for all documents.
    shown = shown_features(query_row, terms, hidden).tolist()
    features = [int(query_row.indices[k]) for k in shown]
    weights = [float(query_row.data[k]) for k in shown]
    names = [str(terms[f]) for f in features]
    if not features or not len(columns):
        return [[] for _ in columns]
    # Look each chosen document up in each query term's postings (sorted by document): one
    # bisection over all (term, document) pairs at once.
    indptr, indices, data = doc_matrix_t.indptr, doc_matrix_t.indices, doc_matrix_t.data
    feature_ids = np.asarray(features, dtype=np.int64)
    lo = np.repeat(indptr[feature_ids].astype(np.int64), len(columns))
    hi = np.repeat(indptr[feature_ids + 1].astype(np.int64), len(columns))
    wanted = np.tile(np.asarray(columns, dtype=np.int64), len(features))
    end = hi.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        right = open_ & (indices[np.minimum(mid, len(indices) - 1)] < wanted)
        lo = np.where(right, mid + 1, lo)
        hi = np.where(open_ & ~right, mid, hi)
    hit = lo < end
    hit[hit] = indices[lo[hit]] == wanted[hit]
    products = np.zeros(len(wanted), dtype=np.float32)
    products[hit] = data[lo[hit]] * np.repeat(np.asarray(weights, np.float32), len(columns))[hit]
    shared = products.reshape(len(features), len(columns))
    words = [name.split() for name in names]
    # Each term in the singular, word by word: "st johns" and "st john" are one term to a reader.
    singled = [" ".join(singular(w) or w for w in ws) for ws in words]
    orders = np.argsort(-shared, axis=0)[: limit * 3].T.tolist()  # each column's best first
    found = []
    for j, order in enumerate(orders):
        column = shared[:, j].tolist()
        chosen: list[int] = []
        for i in order:
            if column[i] <= 0:
                break
            term = names[i]
            # "schools" beside "school" adds nothing for the reader either, nor "school meal"
            # beside "school meals".
            if any(singled[i] == singled[c] for c in chosen):
                continue
            # A word already inside a chosen phrase adds nothing for the reader.
            if any(term in words[c] or names[c] in words[i] for c in chosen):
                if len(words[i]) > 1:
                    chosen = [c for c in chosen if names[c] not in words[i]]
                else:
                    continue
            chosen.append(i)
            if len(chosen) >= limit:
                break
        found.append([(names[i], column[i]) for i in chosen])
    return found


def text_reason(
    terms: list[tuple[str, float]], similarity: float, spellings: Mapping[str, str] | None = None,
    no_sign: bool = False,
) -> Reason | None:
    """Explain the shared key terms, written as the query writes them (`spellings`, from
    text.hyphen_spellings: "in-house", not the "inhouse" matching reads). None where they are
    `no_sign` of the work (`one_word_of_other_work`)."""
    if not terms or no_sign:
        return None
    words = [spelled(t, spellings or {}) for t, _ in terms]
    return Reason(
        "text",
        "Shared key terms: " + ", ".join(words) + ".",
        {"terms": words, "similarity": round(similarity, 4)},
    )


_WORD = re.compile(r"[a-z]+")
# Words that end a CPV description without saying what it is about.
_GENERIC_TAIL = frozenset({"services", "service", "products", "product", "work", "works",
                           "supplies", "equipment", "systems", "system", "similar", "and", "of",
                           "for", "related", "other", "various", "materials"})


_BY_DIVISION: dict[int, tuple[Mapping[str, str], dict[str, frozenset[str]]]] = {}


def division_words(describe: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """The words the CPV vocabulary uses in each division's descriptions ("school" in 55,
    School-meal services, but not in 60, transport); worked out once per vocabulary."""
    cached = _BY_DIVISION.get(id(describe))
    if cached is None or cached[0] is not describe:
        words: dict[str, set[str]] = {}
        for code, text in describe.items():
            words.setdefault(code[:2], set()).update(_WORD.findall(text.lower()))
        cached = (describe, {division: frozenset(found) for division, found in words.items()})
        _BY_DIVISION.clear()  # one vocabulary per process, as a rule
        _BY_DIVISION[id(describe)] = cached
    return cached[1]


def head_word(description: str) -> str | None:
    """The word a CPV description is about: "School cleaning services" -> "cleaning"."""
    words = _WORD.findall(description.lower())
    while words and words[-1] in _GENERIC_TAIL:
        words.pop()
    return words[-1] if words else None


def one_word_of_other_work(terms: list[tuple[str, float]], tender_codes: list[str],
                           supplier_codes: list[str], describe: Mapping[str, str]) -> bool:
    """For a supplier with no contracts whose CPV codes are all in other divisions than the
    tender's: is the one word it shares with the tender no sign of the tender's work?

    It has said what its work is. The word is a sign where the CPV vocabulary uses it for the
    tender's divisions ("school" of a cleaning co-op's "school cleaning", for school meals), or
    where it names the supplier's own work (the head of one of its codes' descriptions:
    "cleaning" of Cleaning services, for cleaning the council's vans); otherwise not (the same
    "school" for a school bus service). A shared phrase or two shared terms are always a sign;
    without the vocabulary, so is one word."""
    if len(terms) != 1 or " " in terms[0][0] or not describe:
        return False
    word = terms[0][0]
    forms = {word, singular(word) or word}
    by_division = division_words(describe)
    if any(forms & by_division.get(code[:2], frozenset()) for code in tender_codes):
        return False
    return not forms & {head_word(describe.get(code, "")) for code in supplier_codes}


def cpv_reason(best, describe: Mapping[str, str] | None) -> Reason | None:
    """Explain the best CPV pair (score, depth, tender code, supplier code)."""
    if best is None:
        return None
    score, depth, tender_code, supplier_code = best
    describe = describe or {}
    label = supplier_code + (f" {describe[supplier_code]}" if describe.get(supplier_code) else "")
    if tender_code == supplier_code:
        text = f"Works under the tender's own CPV code {label}."
    elif score >= 1.0 and depth < 5:
        text = f"Works under CPV {label}, which falls within the tender's code {tender_code}."
    else:
        level = CPV_LEVEL_NAMES[min(depth, 5)]
        text = f"Works under CPV {label}, in the same {level} as the tender's {tender_code}."
    return Reason(
        "cpv",
        text,
        {
            "tender_code": tender_code,
            "supplier_code": supplier_code,
            "depth": depth,
            "level": CPV_LEVEL_NAMES[min(depth, 5)],
            "score": round(score, 4),
        },
    )


def sic_reason(tender_codes, sic_codes, bridge, names=None) -> Reason | None:
    """Explain a SIC fit (signals.SIC_FIT) of a supplier known by SIC codes, not CPV codes:
    its first SIC code in a division the bridge links to the tender's codes, else None.
    `names` (a coopmatch.sic.SICVocabulary), where given, names the code and its division."""
    sic_code = sic_fit(sic_codes, linked_sic_divisions(tender_codes, bridge))
    if not sic_code:
        return None
    division = sic_code[:2]
    name = names.name(sic_code) if names else None
    division_name = names.division_name(division) if names else None
    code_text = f"{sic_code}, {name}," if name else sic_code
    division_text = f"division {division}, {division_name}" if division_name \
        else f"division {division}"
    return Reason(
        "sic",
        f"Its SIC code {code_text} is in a sector that the tender's CPV codes belong to "
        f"({division_text}: a broad CPV-SIC link).",
        {"sic_code": sic_code, "sic_division": division, "sic_name": name,
         "sic_division_name": division_name},
    )


def geography_reason(
    distance_km: float | None,
    tier: int,
    outside_radius_km: float | None,
    area_name: str | None = None,
    worked_km: float | None = None,
    worked_for: str | None = None,
) -> Reason:
    tier_name = TIER_NAMES[tier] if 0 <= tier < len(TIER_NAMES) else None
    parts = []
    if distance_km is not None:
        parts.append(f"{distance_km:,.0f} km away" if distance_km >= 1 else "under 1 km away")
    if tier_name in TIER_TEXT:
        parts.append(TIER_TEXT[tier_name] + (f" ({area_name})" if area_name else ""))
    # Where it has worked, when that is nearer than where it is based.
    worked = worked_km is not None and worked_km <= WORKED_NEAR_KM
    worked = worked and (distance_km is None or worked_km < distance_km - 1)
    if not parts:
        text = (
            "Where it is based is unknown."
            if worked
            else "Location unknown, so distance could not be checked."
        )
    else:
        text = ", ".join(parts)
        text = text[0].upper() + text[1:] + "."  # area names keep their capitals
    if outside_radius_km is not None:
        text += f" This is beyond the {outside_radius_km:,.0f} km it says it serves."
    if worked:
        where = "under 1 km" if worked_km < 1 else f"{worked_km:,.0f} km"
        text += f" It has delivered a contract {where} from here" + (
            f" (for {worked_for})." if worked_for else "."
        )
    return Reason(
        "geography",
        text,
        {
            "distance_km": None if distance_km is None else round(distance_km, 1),
            "tier": tier_name if tier_name != "none" else None,
            "outside_service_radius": outside_radius_km is not None,
            "worked_km": round(worked_km, 1) if worked_km is not None else None,
        },
    )


def capacity_reason(value: float | None, capacity: float | None, fits: int) -> Reason:
    data = {"value": value, "capacity_gbp": capacity, "fits": None if fits < 0 else bool(fits)}
    if value is None:
        text = "The contract value is not given, so size could not be checked."
    elif capacity is None:
        text = f"Its capacity is unknown, so fit with the {money(value)} value was not checked."
    elif fits:
        text = (
            f"Big enough: it can take contracts of up to {money(capacity)}, which covers the "
            f"{money(value)} value."
        )
    else:
        text = (
            f"May be too small: it can take contracts of up to {money(capacity)}, under the "
            f"{money(value)} value."
        )
    return Reason("capacity", text, data)


def size_reason(
    value: float | None,
    capacity: float | None,
    won_gbp: float | None,
    fits: int,
    framework: bool = False,
    dps: bool = False,
) -> Reason:
    """Explain size: on a framework a shared ceiling; else by the stated capacity, or where
    none is stated, by the largest contract won."""
    if framework or dps:
        return framework_size_reason(value, capacity, won_gbp, dps)
    if capacity is None and won_gbp is not None:
        return won_size_reason(value, won_gbp)
    return capacity_reason(value, capacity, fits)


def framework_size_reason(
    value: float | None, capacity: float | None, won_gbp: float | None, dps: bool = False
) -> Reason:
    """Size on a framework or DPS, whose value is a ceiling shared by its suppliers. On a DPS,
    which firms may join while it runs, size is not weighed in the score at all."""
    data = {
        "value": value,
        "capacity_gbp": capacity,
        "largest_won_gbp": won_gbp,
        "fits": None,
        "framework": True,
        "dps": dps,
    }
    if capacity is not None:
        said = f"this supplier can take contracts of up to {money(capacity)}."
    elif won_gbp is not None:
        said = f"this supplier has won contracts of up to {money(won_gbp)}."
    else:
        said = "this supplier states no capacity."
    ceiling = f": its {money(value)} is a ceiling shared by its suppliers" if value else ""
    if dps:
        text = "A dynamic purchasing system, which firms of any size may join while it runs"
        text += f"{ceiling}, so size is not weighed. " if value else ": size is not weighed. "
        text += said[0].upper() + said[1:]
    else:
        text = f"A framework or dynamic purchasing system{ceiling}, and {said}"
    return Reason("capacity", text, data)


def won_size_reason(value: float | None, won_gbp: float) -> Reason:
    """Size judged by the largest contract won, for a supplier that states no capacity."""
    fits = None if value is None else value <= won_gbp
    data = {"value": value, "capacity_gbp": None, "largest_won_gbp": won_gbp, "fits": fits}
    if value is None:
        text = "The contract value is not given, so size could not be checked."
    elif fits:
        text = (
            f"Big enough: it has won contracts of up to {money(won_gbp)}, which covers the "
            f"{money(value)} value."
        )
    else:
        text = (
            f"Its largest contract so far is {money(won_gbp)}, under the {money(value)} value "
            "(it states no capacity)."
        )
    return Reason("capacity", text, data)


def won_this_tender_reason() -> Reason:
    return Reason("track_record", "Won this tender.", {"won_this_tender": True})


def track_record_reasons(
    award_title: str | None,
    award_buyer: str | None,
    award_similarity: float,
    buyer_awards: int,
    award_count: int,
    buyer_name: str | None,
) -> list[Reason]:
    reasons = []
    if award_title and award_similarity > 0.05:
        text = f"Has delivered similar work: '{award_title}'"
        text += f" for {award_buyer}." if award_buyer else "."
        reasons.append(
            Reason(
                "track_record",
                text,
                {
                    "award_title": award_title,
                    "award_buyer": award_buyer,
                    "similarity": round(award_similarity, 4),
                    "award_count": award_count,
                },
            )
        )
    if buyer_awards:
        who = buyer_name or "this buyer"
        plural = "contract" if buyer_awards == 1 else "contracts"
        reasons.append(
            Reason(
                "buyer",
                f"Has won {buyer_awards} {plural} from {who} before.",
                {"buyer_awards": buyer_awards},
            )
        )
    elif award_count and not reasons:
        plural = "contract" if award_count == 1 else "contracts"
        reasons.append(
            Reason(
                "track_record",
                f"Has won {award_count} public {plural}.",
                {"award_count": award_count},
            )
        )
    return reasons


def paid_by_buyer_reason(buyer_name: str | None, pence: int, first_year: int, last_year: int,
                         paid_for: list[tuple[str, int]]) -> Reason:
    """Work done for this buyer as its own books record it: what its payment ledgers paid the
    supplier, when, and for what (their largest expense types)."""
    who = buyer_name or "this buyer"
    years = str(first_year) if first_year == last_year else f"{first_year}\u2013{last_year}"
    text = f"Paid {money(pence / 100)} by {who} in {years} (its payment ledgers)"
    if paid_for:
        text += ", for " + "; ".join(kind for kind, _ in paid_for)
    return Reason("buyer", text + ".", {
        "paid_gbp": round(pence / 100, 2), "first_year": first_year, "last_year": last_year,
        "paid_for": [kind for kind, _ in paid_for], "source": "payment ledgers"})


# The association is given as a reason when it is at least this ... On real awards
# (bench/match_quality.py, seed 0) the median supplier scores 0.50 for a notice and one in ten
# 0.75 or more, while half of the real winners score 0.84 or more: at 0.5 the reason was given
# to half the register (a van dealer "the kind often won" for school meals).
ASSOCIATION_REASON_LEVEL = 0.75
# ... and shared words explain little (text signal below this): then it is what brought the
# supplier here. Where words are shared, they are the better reason to show.
ASSOCIATION_REASON_TEXT_BELOW = 0.3


def association_reason(similarity: float, text: float, has_awards: bool = True,
                       codes_differ: bool = False) -> Reason | None:
    """Say so when learned associations, not shared words, put a supplier forward.

    The association is of its past contracts where it has some, else of what it says it does.
    Not for a supplier with no contracts whose CPV codes are all outside the tender's divisions
    (`codes_differ`): it has said what its work is, and this is not it, whatever words go with
    it (a caterer's "school" and "care home" go with school transport and children's homes).
    """
    if similarity < ASSOCIATION_REASON_LEVEL or text >= ASSOCIATION_REASON_TEXT_BELOW:
        return None
    if codes_differ and not has_awards:
        return None
    text = (
        "Its past contracts are the kind often won by firms that win work like this."
        if has_awards
        else "The work it describes is the kind often done by firms that win work like this."
    )
    return Reason("association", text, {"similarity": round(similarity, 4)})


def ownership_reason(ownership: str, preferred: bool) -> Reason | None:
    """Say what a supplier is where its ownership matters to a buyer: a co-op, an
    employee-owned firm or a social enterprise (preferred when the search prefers them), or a
    public body (an NHS trust, a council's own service), which a buyer may leave out."""
    if ownership == "public_body":
        return Reason("ownership", "It is a public body, not a business.",
                      {"ownership": ownership, "preferred": False})
    if ownership not in OWNERSHIP_TEXT:
        return None
    text = f"It is {OWNERSHIP_TEXT[ownership]}"
    text += " (preferred in this search)." if preferred else "."
    return Reason("ownership", text, {"ownership": ownership, "preferred": preferred})


def lot_reason(
    lot_id: int, lot_title: str, lot_value: float | None, whole_value: float | None, whole_fits: int
) -> Reason:
    text = f"Matched to lot '{lot_title}'"
    if lot_value is not None:
        text += f" ({money(lot_value)})"
    if whole_fits == 0 and whole_value is not None:
        text += f": the whole tender ({money(whole_value)}) looks too big for it"
    return Reason(
        "lot",
        text + ".",
        {"lot_id": lot_id, "lot_value": lot_value, "whole_value": whole_value},
    )
