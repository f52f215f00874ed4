"""How local a supplier is to an anchor: its own local authority, the wider area, the region..."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

LOCAL_AUTHORITY = "local_authority"
WIDER_AREA = "wider_area"
REGION = "region"
REST_OF_UK = "rest_of_uk"
OUTSIDE_UK = "outside_uk"
UNKNOWN = "unknown"
# Most local first: a supplier with several locations takes the first tier any of them has.
TIERS = (LOCAL_AUTHORITY, WIDER_AREA, REGION, REST_OF_UK, OUTSIDE_UK, UNKNOWN)
TIER_LABELS = {
    LOCAL_AUTHORITY: "In the local authority",
    WIDER_AREA: "Elsewhere in the wider area",
    REGION: "Elsewhere in the region",
    REST_OF_UK: "Elsewhere in the UK",
    OUTSIDE_UK: "Outside the UK",
    UNKNOWN: "Location not known",
}
_RANK = {tier: rank for rank, tier in enumerate(TIERS)}

REGISTERED_OFFICE = "registered_office"
BRANCH = "branch"

_UK = {
    "E92000001",
    "W92000004",
    "S92000003",
    "N92000002",
    "K02000001",
    "K03000001",
    "england",
    "wales",
    "scotland",
    "northern ireland",
    "uk",
    "gb",
    "united kingdom",
    "great britain",
}


@dataclass(frozen=True)
class AnchorArea:
    """The places an anchor's spend is measured against.

    wider_code: the county or combined authority (Lancashire's is E47000018); wider_lad_codes
    lists its districts where a supplier location carries only a district code.
    """

    lad_code: str
    wider_code: str | None = None
    region_code: str | None = None
    wider_lad_codes: frozenset[str] = field(default_factory=frozenset)
    name: str = ""


@dataclass(frozen=True)
class SupplierLocation:
    """One place a supplier is: its registered office or a branch.

    Codes are ONS GSS codes as `coopmatch.geo.Place` gives them; country may be a GSS code or a
    name. A location with a district code is in the UK.
    """

    kind: str = REGISTERED_OFFICE  # or BRANCH
    lad_code: str | None = None
    wider_code: str | None = None
    region_code: str | None = None
    country: str | None = None

    @classmethod
    def from_place(cls, place, kind: str = REGISTERED_OFFICE) -> "SupplierLocation":
        """Return the location of a `coopmatch.geo.Place` (or anything with the same fields)."""
        return cls(
            kind=kind,
            lad_code=getattr(place, "lad_code", None),
            wider_code=getattr(place, "county_code", None),
            region_code=getattr(place, "region_code", None),
            country=getattr(place, "country", None),
        )


@dataclass(frozen=True)
class SupplierTier:
    """A supplier's tier (its most local location), and its registered office's and branches'."""

    tier: str
    registered_office: str = UNKNOWN
    branch: str = UNKNOWN


def is_uk(country: str | None) -> bool:
    return country is not None and (country in _UK or country.strip().lower() in _UK)


def location_tier(area: AnchorArea, location: SupplierLocation) -> str:
    """Return how local one supplier location is to the anchor's area."""
    if location.country and not is_uk(location.country):
        return OUTSIDE_UK
    lad = location.lad_code
    if lad and lad == area.lad_code:
        return LOCAL_AUTHORITY
    in_wider = (area.wider_code and location.wider_code == area.wider_code) or (
        lad and lad in area.wider_lad_codes
    )
    if in_wider:
        return WIDER_AREA
    if area.region_code and location.region_code == area.region_code:
        return REGION
    if lad or location.region_code:
        return REST_OF_UK
    # Only "somewhere in the UK", or nothing at all: it might be next door.
    return UNKNOWN


def classify_supplier(area: AnchorArea, locations: Iterable[SupplierLocation]) -> SupplierTier:
    """Return the supplier's tier: "based or with a branch in" the area counts as local."""
    best = {REGISTERED_OFFICE: UNKNOWN, BRANCH: UNKNOWN}
    for location in locations:
        tier = location_tier(area, location)
        kind = BRANCH if location.kind == BRANCH else REGISTERED_OFFICE
        if _RANK[tier] < _RANK[best[kind]]:
            best[kind] = tier
    tier = min(best.values(), key=_RANK.__getitem__)
    return SupplierTier(tier, best[REGISTERED_OFFICE], best[BRANCH])


def classify_suppliers(
    area: AnchorArea, locations: Mapping[Hashable, Iterable[SupplierLocation]]
) -> dict[Hashable, SupplierTier]:
    """Return supplier id -> SupplierTier for every supplier with locations."""
    return {supplier: classify_supplier(area, places) for supplier, places in locations.items()}


def tier_rank(tier: str) -> int:
    return _RANK[tier]
