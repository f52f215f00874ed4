"""Routes to fill a gap: a new co-operative, an employee buyout, a consortium, or lots.

Each rule reads plain figures: the gap's demand, the area's register (`LocalSupplier`) and the
engine's local candidates. A supplier's `capacity_gbp` is the largest contract it can take.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from coopmatch.cpv import shared_depth, significant_digits
from coopmatch.gaps.coverage import can_do_the_work
from coopmatch.gaps.demand import DemandSummary
from coopmatch.gaps.sectors import SupplierPostings, covers, sic_divisions
from coopmatch.gaps.types import (
    BUYOUT,
    CONSORTIUM,
    LOT_SPLIT,
    NEW_COOP,
    ROUTES,
    DemandItem,
    GapSettings,
    LocalSupplier,
)
from coopmatch.matching import Match
from coopmatch.matching.types import PUBLIC_BODY, SOCIAL_OWNERSHIP

# Firms whose staff cannot buy them out: already owned by their members or staff (co-ops,
# employee-owned firms), held for a social purpose (social enterprises, charities), or public.
NOT_FOR_BUYOUT = SOCIAL_OWNERSHIP | {PUBLIC_BODY}

DEPTH_NAMES = {2: "division", 3: "group", 4: "class", 5: "category"}
MAX_NAMED = 5  # suppliers named per route


@dataclass
class RouteSupplier:
    id: int
    name: str
    ownership: str
    capacity_gbp: float | None
    why: str

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "ownership": self.ownership,
            "capacity_gbp": None if self.capacity_gbp is None else round(self.capacity_gbp, 2),
            "why": self.why,
        }


@dataclass
class Route:
    """One way to fill a gap, with the firms it involves and what it rests on."""

    kind: str  # new_coop, buyout, consortium, lot_split
    text: str
    confidence: str = "possible"  # strong, possible
    suppliers: list[RouteSupplier] = field(default_factory=list)
    lot_sizes_gbp: list[float] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return ROUTES[self.kind]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "confidence": self.confidence,
            "suppliers": [s.to_dict() for s in self.suppliers],
            "lot_sizes_gbp": [round(v, 2) for v in self.lot_sizes_gbp],
            "data": self.data,
        }


def money(value: float | None) -> str:
    """Return £ in words a card can show: £1.2m, £350k, £900."""
    if value is None:
        return "an unknown value"
    if value >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m"
    if value >= 10_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:,.0f}"


def _named(supplier: LocalSupplier, why: str) -> RouteSupplier:
    return RouteSupplier(supplier.id, supplier.name, supplier.ownership, supplier.capacity_gbp, why)


# --- a new co-operative ------------------------------------------------------------------------


def new_coop(summary: DemandSummary, settings: GapSettings) -> Route | None:
    """Suggest a new co-operative where the demand would sustain one."""
    if summary.gbp_a_year < settings.new_coop_min_gbp_a_year:
        return None
    recurring = summary.recurrence.recurring
    anchors = summary.anchor_count
    text = (
        f"{money(summary.gbp_a_year)} a year from {anchors} anchor{'s' if anchors != 1 else ''}"
        f" that no local firm comes close to meeting"
    )
    if recurring:
        text += f"; the need recurs ({'; '.join(summary.recurrence.reasons)})."
    else:
        text += "; bought once so far: check with the anchors that the need will recur."
    return Route(
        NEW_COOP,
        text,
        confidence="strong" if recurring else "possible",
        data={
            "gbp_a_year": round(summary.gbp_a_year, 2),
            "anchors": anchors,
            "recurring": recurring,
            "minimum_gbp_a_year": settings.new_coop_min_gbp_a_year,
        },
    )


def no_route(summary: DemandSummary, settings: GapSettings) -> str:
    """Say why a gap has no route, for a card that would otherwise show none: "" if it would
    sustain a new co-operative (that route is always offered then)."""
    if summary.gbp_a_year >= settings.new_coop_min_gbp_a_year:
        return ""
    return (
        f"At {money(summary.gbp_a_year)} a year this is under the "
        f"{money(settings.new_coop_min_gbp_a_year)} a year a new co-operative needs to pay its "
        "members, and no local firm is near enough to the work to buy out, to join in a "
        "consortium or to bid for lots. It may suit a local firm in a related trade, or add to "
        "a neighbouring sector's demand."
    )


# --- an employee buyout ------------------------------------------------------------------------


def buyout(
    codes: list[str],
    local: dict[int, LocalSupplier],
    postings: SupplierPostings,
    bridge: dict[str, list[str]],
    settings: GapSettings,
) -> Route | None:
    """Name local firms in a related line of work that carry a succession risk and that their
    staff could buy (not co-ops, employee-owned firms, charities or public bodies)."""
    related = set()
    for code in codes:
        related |= postings.with_prefix(significant_digits(code)[: settings.related_cpv_depth])
    divisions = {d for code in codes for d in sic_divisions(code, bridge)}
    related |= postings.in_sic(divisions)
    today = settings.today
    found = []
    for supplier_id in related:
        supplier = local.get(supplier_id)
        if supplier is None or supplier.ownership in NOT_FOR_BUYOUT:
            continue
        age = _age_years(supplier.incorporation_date, today)
        old = age is not None and age >= settings.buyout_min_age_years
        if not (supplier.succession_risk or old):
            continue
        depth, relation = _relation(supplier, codes, divisions, bridge)
        signals = []
        if supplier.succession_risk:
            signals.append("succession risk flagged")
        if old:
            signals.append(f"incorporated {supplier.incorporation_date.year} ({int(age)} years)")
        found.append(
            (not supplier.succession_risk, -depth, -(age or 0), supplier, signals, relation)
        )
    if not found:
        return None
    found.sort(key=lambda f: f[:3] + (f[3].id,))
    named = [_named(s, f"{'; '.join(signals)}; {relation}") for *_, s, signals, relation in found]
    strong = any(not f[0] for f in found)
    text = (
        f"{len(found)} local firm{'s' if len(found) != 1 else ''} in related work with a "
        f"succession risk: {', '.join(n.name for n in named[:MAX_NAMED])}. Their staff could buy "
        "them out and grow into this demand."
    )
    return Route(
        BUYOUT,
        text,
        confidence="strong" if strong else "possible",
        suppliers=named[:MAX_NAMED],
        data={"candidates": len(found)},
    )


def _age_years(incorporated: date | None, today: date) -> float | None:
    if incorporated is None:
        return None
    return (today - incorporated).days / 365.25


def _relation(supplier, codes, divisions, bridge) -> tuple[int, str]:
    best = (0, "", "")
    for code in codes:
        for own in supplier.cpv_codes:
            depth = min(shared_depth(code, own), 5)
            if depth > best[0]:
                best = (depth, code, own)
    if best[0] >= 2:
        depth, code, own = best
        return depth, f"its CPV {own} is in the same {DEPTH_NAMES[depth]} as {code}"
    for sic in supplier.sic_codes:
        if sic[:2] in divisions:
            return 1, f"its SIC {sic} is in division {sic[:2]}, which the CPV-SIC bridge links here"
    return 0, "related work"


# --- a consortium ------------------------------------------------------------------------------


def consortium(
    codes: list[str],
    largest_gbp: float | None,
    local: dict[int, LocalSupplier],
    postings: SupplierPostings,
    capable_ids: set[int],
    settings: GapSettings,
) -> Route | None:
    """Name local firms that together cover the gap's CPV codes, or its largest contract."""
    by_codes = _cover_codes(codes, local, postings, largest_gbp, settings)
    if by_codes:
        members, covered = by_codes
        named = [_named(s, "covers " + ", ".join(covered[s.id])) for s in members]
        return Route(
            CONSORTIUM,
            f"Together {', '.join(n.name for n in named)} cover every CPV code of this gap "
            f"({', '.join(codes)}); none covers them all alone.",
            confidence="strong",
            suppliers=named,
            data={"basis": "cpv", "codes": codes},
        )
    by_size = _cover_value(codes, largest_gbp, local, postings, capable_ids, settings)
    if by_size:
        named = [_named(s, f"can take contracts up to {money(s.capacity_gbp)}") for s in by_size]
        total = sum(s.capacity_gbp for s in by_size)
        return Route(
            CONSORTIUM,
            f"No local firm can take a {money(largest_gbp)} contract alone, but "
            f"{', '.join(n.name for n in named)} could together ({money(total)}).",
            confidence="possible",
            suppliers=named,
            data={"basis": "capacity", "largest_gbp": largest_gbp, "combined_gbp": total},
        )
    return None


def _candidates(code: str, postings: SupplierPostings, local) -> set[int]:
    digits = significant_digits(code)
    return {i for i in postings.with_prefix(digits[: min(len(digits), 4)]) if i in local}


def _cover_codes(codes, local, postings, largest_gbp, settings):
    distinct = list(dict.fromkeys(codes))
    if len(distinct) < 2:
        return None
    covered: dict[int, list[str]] = {}
    for code in distinct:
        for supplier_id in _candidates(code, postings, local):
            if covers(code, local[supplier_id].cpv_codes):
                covered.setdefault(supplier_id, []).append(code)
    if not covered or any(len(found) == len(distinct) for found in covered.values()):
        return None
    left, members = set(distinct), []
    while left and len(members) < settings.consortium_max_members:
        best = max(
            covered,
            key=lambda i: (len(left & set(covered[i])), local[i].capacity_gbp or 0, -i),
        )
        gain = left & set(covered[best])
        if not gain:
            break
        members.append(local[best])
        left -= gain
    if left or len(members) < 2:
        return None
    return members, covered


def _cover_value(codes, largest_gbp, local, postings, capable_ids, settings):
    if not largest_gbp:
        return None
    able = set(capable_ids)
    for code in codes:
        able |= {i for i in _candidates(code, postings, local) if covers(code, local[i].cpv_codes)}
    sized = sorted(
        (local[i] for i in able if i in local and local[i].capacity_gbp),
        key=lambda s: (-s.capacity_gbp, s.id),
    )
    if len(sized) < 2 or sized[0].capacity_gbp >= largest_gbp:
        return None
    members, total = [], 0.0
    for supplier in sized[: settings.consortium_max_members]:
        members.append(supplier)
        total += supplier.capacity_gbp
        if total >= largest_gbp:
            return members
    return None


# --- splitting into lots -----------------------------------------------------------------------


def lot_split(
    items: list[DemandItem],
    local: dict[int, LocalSupplier],
    postings: SupplierPostings,
    matches: dict[tuple, list[Match]],
    settings: GapSettings,
) -> Route | None:
    """Suggest lots local firms could bid for, for contracts too big for any of them."""
    plans = []
    for item in items:
        value = item.contract_value
        if not value:
            continue
        able = {
            m.supplier_id
            for m in matches.get(item.key, ())
            if can_do_the_work(m, settings)
        }
        for code in item.cpv_codes[:3]:
            able |= {
                i for i in _candidates(code, postings, local) if covers(code, local[i].cpv_codes)
            }
        sized = sorted(
            (local[i] for i in able if i in local and local[i].capacity_gbp),
            key=lambda s: (-s.capacity_gbp, s.id),
        )
        if not sized or sized[0].capacity_gbp >= value:
            continue  # nobody local to split for, or one of them can take it whole
        lots, bidders, left = [], [], value
        for supplier in sized[: settings.lot_split_max_lots]:
            size = min(_floor_thousand(supplier.capacity_gbp), left)
            if size <= 0:
                break
            lots.append(size)
            bidders.append(supplier)
            left -= size
            if left <= 0:
                break
        plans.append((value, item, lots, bidders, max(left, 0.0)))
    if not plans:
        return None
    plans.sort(key=lambda p: (-p[0], p[1].tender_id, p[1].lot_id or 0))
    value, item, lots, bidders, rest = plans[0]
    text = (
        f"{item.notice_id} ({money(value)}) is bigger than any local firm can take, but split into "
        f"lots of {', '.join(money(v) for v in lots)} local firms could bid for each"
    )
    text += f", leaving {money(rest)} as a lot for a larger supplier." if rest else "."
    if len(plans) > 1:
        text += f" {len(plans) - 1} more contract{'s' if len(plans) > 2 else ''} could be split."
    named = [
        _named(s, f"could bid for a lot of {money(v)}") for s, v in zip(bidders, lots, strict=True)
    ]
    return Route(
        LOT_SPLIT,
        text,
        confidence="strong" if not rest else "possible",
        suppliers=named,
        lot_sizes_gbp=lots + ([rest] if rest else []),
        data={
            "contracts": [
                {
                    "notice_id": p[1].notice_id,
                    "value_gbp": round(p[0], 2),
                    "lot_sizes_gbp": [round(v, 2) for v in p[2]],
                    "remainder_gbp": round(p[4], 2),
                    "bidders": [s.id for s in p[3]],
                }
                for p in plans
            ]
        },
    )


def _floor_thousand(value: float) -> float:
    """Round a capacity down to £1,000 (never below £1,000 for a firm with any capacity)."""
    return max(1000.0, math.floor(value / 1000.0) * 1000.0) if value >= 1000 else value
