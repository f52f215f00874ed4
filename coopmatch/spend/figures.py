"""CLES-style figures: how much of an anchor's spend stays local, year by year.

Preston's headline ("six anchors' spend with Preston-based suppliers rose from £38m, 5%, in
2012/13 to £111m, 18%, in 2016/17") is `local_share` per financial year, over each year's own
total. Payments become columns (`PaymentTable`) so a million rows are grouped with numpy.
Unresolved and redacted spend stay in the totals and are reported as such, never guessed.
"""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from coopmatch.spend.records import Payment
from coopmatch.spend.tiers import (
    LOCAL_AUTHORITY,
    TIERS,
    UNKNOWN,
    WIDER_AREA,
    AnchorArea,
    SupplierTier,
    classify_supplier,
)
from coopmatch.spend.values import year_label

SupplierId = Hashable
UNRESOLVED = -1
REDACTED = -2
# The ownership models of coopmatch.models.OWNERSHIP_MODELS, in the groups CLES reports use.
OWNERSHIP_GROUPS = {
    "worker_coop": "co-operative",
    "consumer_coop": "co-operative",
    "multi_stakeholder_coop": "co-operative",
    "community_benefit_society": "co-operative",
    "employee_owned": "employee-owned",
    "social_enterprise": "social enterprise",
    "charity": "charity",
    "sme": "SME",
    "large_company": "large firm",
    "public_body": "public body",
    "unknown": "ownership not known",
}
STATUSES = ("resolved", "unresolved", "redacted")
_UNKNOWN = TIERS.index(UNKNOWN)
_LOCAL = TIERS.index(LOCAL_AUTHORITY)


@dataclass
class PaymentTable:
    """Payments as columns. Codes index the lists beside them; supplier is -1 when unresolved
    and -2 when the ledger redacted the payee."""

    financial_year: np.ndarray  # year each payment's financial year starts in
    pence: np.ndarray
    supplier: np.ndarray
    supplier_ids: list
    name: np.ndarray
    names: list[str]
    expense_type: np.ndarray
    expense_types: list[str]
    anchor: np.ndarray
    anchors: list
    # How many payments each row stands for: a row is one payment, or (read from the
    # database, summed there) all of one payee's in a year under one expense type.
    payments: np.ndarray | None = None

    def __post_init__(self):
        if self.payments is None:
            self.payments = np.ones(len(self.pence), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.pence)

    def without_suppliers(self, supplier_ids: Collection) -> "PaymentTable":
        """Return the rows not paid to these suppliers (public bodies, to measure procurement
        spend alone)."""
        left_out = set(supplier_ids)
        codes = [code for code, s in enumerate(self.supplier_ids) if s in left_out]
        return _take(self, ~np.isin(self.supplier, codes))

    def only_anchor(self, anchor: Hashable) -> "PaymentTable":
        """Return the rows of one anchor (code lists are shared, not copied)."""
        if anchor not in self.anchors:
            return _take(self, np.zeros(len(self), dtype=bool))
        return _take(self, self.anchor == self.anchors.index(anchor))


def _take(table: PaymentTable, mask: np.ndarray) -> PaymentTable:
    return PaymentTable(
        table.financial_year[mask],
        table.pence[mask],
        table.supplier[mask],
        table.supplier_ids,
        table.name[mask],
        table.names,
        table.expense_type[mask],
        table.expense_types,
        table.anchor[mask],
        table.anchors,
        table.payments[mask],
    )


def _codes(values: Sequence) -> tuple[np.ndarray, list]:
    """Return (code per value, distinct values in first-seen order)."""
    distinct = list(dict.fromkeys(values))
    index = {value: code for code, value in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, distinct


def _financial_years(dates: Sequence) -> np.ndarray:
    """Return the financial year of each date (distinct dates are few, so work on those)."""
    if not len(dates):
        return np.zeros(0, dtype=np.int32)
    codes, distinct = _codes(dates)
    days = np.asarray(distinct, dtype="datetime64[D]")
    months = days.astype("datetime64[M]").astype(np.int64)
    year, month = months // 12 + 1970, months % 12 + 1
    return np.where(month >= 4, year, year - 1).astype(np.int32)[codes]


def ownership_groups(ownership: Mapping[SupplierId, str]) -> dict[SupplierId, str]:
    """Return supplier id -> ownership group ("co-operative", "SME"...) from model codes."""
    return {supplier: OWNERSHIP_GROUPS.get(code, code) for supplier, code in ownership.items()}


def table_from_columns(
    dates: Sequence | None,
    pence: Sequence[int],
    supplier_ids: Sequence[SupplierId | None],
    *,
    redacted: Sequence[bool] | None = None,
    supplier_names: Sequence[str] | None = None,
    expense_types: Sequence[str] | None = None,
    anchors: Sequence[Hashable] | None = None,
    financial_years: Sequence[int] | None = None,
    payments: Sequence[int] | None = None,
) -> PaymentTable:
    """Build a table from columns, e.g. straight from a database query (None = unresolved).

    Rows are payments on `dates`, or (with `financial_years` in place of dates) sums of
    `payments` payments each, as a query that groups them gives."""
    count = len(pence)
    supplier, suppliers = _supplier_codes(supplier_ids)
    if redacted is not None:
        supplier = np.where(np.asarray(redacted, dtype=bool), REDACTED, supplier)
    name, names = _codes(list(supplier_names) if supplier_names is not None else [""] * count)
    expense, expense_list = _codes(
        list(expense_types) if expense_types is not None else [""] * count
    )
    anchor, anchor_list = _codes(list(anchors) if anchors is not None else [None] * count)
    return PaymentTable(
        _financial_years(list(dates)) if financial_years is None
        else np.asarray(financial_years, dtype=np.int32),
        np.asarray(pence, dtype=np.int64),
        supplier.astype(np.int64),
        suppliers,
        name,
        names,
        expense,
        expense_list,
        anchor,
        anchor_list,
        None if payments is None else np.asarray(payments, dtype=np.int64),
    )


def build_table(
    payments: Sequence[Payment],
    supplier_of: Mapping[str, object],
    *,
    anchor: Hashable = None,
) -> PaymentTable:
    """Build a table from parsed payments and name -> supplier id (or Resolution) decisions."""
    count = len(payments)
    name, names = _codes(list(map(attrgetter("supplier_name"), payments)))
    per_name, suppliers = _supplier_codes(_supplier_id(supplier_of.get(n)) for n in names)
    supplier = per_name[name] if count else np.zeros(0, dtype=np.int64)
    redacted = np.fromiter(map(attrgetter("redacted"), payments), dtype=bool, count=count)
    supplier = np.where(redacted, REDACTED, supplier)
    expense, expense_types = _codes(list(map(attrgetter("expense_type"), payments)))
    return PaymentTable(
        _financial_years(list(map(attrgetter("date"), payments))),
        np.fromiter(map(attrgetter("amount_pence"), payments), dtype=np.int64, count=count),
        supplier,
        suppliers,
        name,
        names,
        expense,
        expense_types,
        np.zeros(len(payments), dtype=np.int64),
        [anchor],
    )


def _supplier_codes(ids: Iterable) -> tuple[np.ndarray, list]:
    """Return (code per item, distinct supplier ids); None becomes UNRESOLVED."""
    index: dict = {}
    codes = np.fromiter(
        (UNRESOLVED if s is None else index.setdefault(s, len(index)) for s in ids), dtype=np.int64
    )
    return codes, list(index)


def _supplier_id(found) -> SupplierId | None:
    return getattr(found, "supplier_id", found)


def concat_tables(tables: Sequence[PaymentTable]) -> PaymentTable:
    """Return one table with the rows of all (e.g. a group of anchors)."""
    suppliers: dict = {}
    names: dict = {}
    expenses: dict = {}
    anchors: dict = {}
    parts = {key: [] for key in ("fy", "pence", "supplier", "name", "expense", "anchor",
                                 "payments")}
    for table in tables:
        supplier_map = np.array(
            [suppliers.setdefault(s, len(suppliers)) for s in table.supplier_ids] + [0],
            dtype=np.int64,
        )
        parts["supplier"].append(
            np.where(
                table.supplier >= 0, supplier_map[np.maximum(table.supplier, 0)], table.supplier
            )
        )
        parts["name"].append(_remap(table.name, table.names, names))
        parts["expense"].append(_remap(table.expense_type, table.expense_types, expenses))
        parts["anchor"].append(_remap(table.anchor, table.anchors, anchors))
        parts["fy"].append(table.financial_year)
        parts["pence"].append(table.pence)
        parts["payments"].append(table.payments)
    joined = {key: np.concatenate(value) if value else np.zeros(0) for key, value in parts.items()}
    return PaymentTable(
        joined["fy"].astype(np.int32),
        joined["pence"].astype(np.int64),
        joined["supplier"].astype(np.int64),
        list(suppliers),
        joined["name"].astype(np.int64),
        list(names),
        joined["expense"].astype(np.int64),
        list(expenses),
        joined["anchor"].astype(np.int64),
        list(anchors),
        joined["payments"].astype(np.int64),
    )


def _remap(codes: np.ndarray, values: list, seen: dict) -> np.ndarray:
    mapping = np.array([seen.setdefault(v, len(seen)) for v in values] + [0], dtype=np.int64)
    return mapping[codes]


# --- figures -------------------------------------------------------------------------------


@dataclass
class TierSplit:
    """Spend (in pence; credits net off) by tier, and how much of it was resolved."""

    total: int
    tiers: dict[str, int]
    resolved: int
    unresolved: int
    redacted: int
    payments: int

    @property
    def local(self) -> int:
        """Spend with suppliers in the anchor's own local authority."""
        return self.tiers[LOCAL_AUTHORITY]

    @property
    def wider_local(self) -> int:
        """Spend with suppliers in the local authority or the rest of the wider area."""
        return self.tiers[LOCAL_AUTHORITY] + self.tiers[WIDER_AREA]

    @property
    def leakage(self) -> int:
        """Spend not with local-authority suppliers (total minus local, as CLES counts it)."""
        return self.total - self.local

    @property
    def wider_leakage(self) -> int:
        return self.total - self.wider_local

    @property
    def known_leakage(self) -> int:
        """The part of the leakage with suppliers known to be elsewhere (not unknown)."""
        return self.leakage - self.tiers[UNKNOWN]

    @property
    def unplaced(self) -> int:
        """Spend with suppliers matched in the register whose location it does not know (of the
        "location not known" tier, the part that is neither unresolved nor redacted)."""
        return self.tiers[UNKNOWN] - self.unresolved - self.redacted

    def share(self, amount: int) -> float | None:
        return amount / self.total if self.total else None

    @property
    def local_share(self) -> float | None:
        return self.share(self.local)

    @property
    def wider_share(self) -> float | None:
        return self.share(self.wider_local)

    @property
    def shares(self) -> dict[str, float | None]:
        return {tier: self.share(amount) for tier, amount in self.tiers.items()}

    def to_dict(self) -> dict:
        """Return the split in pounds and shares, for JSON."""

        def pounds(pence: int) -> float:
            return round(pence / 100, 2)

        return {
            "total": pounds(self.total),
            "payments": self.payments,
            "tiers": {t: pounds(p) for t, p in self.tiers.items()},
            "shares": self.shares,
            "local": pounds(self.local),
            "local_share": self.local_share,
            "wider_local": pounds(self.wider_local),
            "wider_share": self.wider_share,
            "leakage": pounds(self.leakage),
            "wider_leakage": pounds(self.wider_leakage),
            "known_leakage": pounds(self.known_leakage),
            "resolved": pounds(self.resolved),
            "unresolved": pounds(self.unresolved),
            "unplaced": pounds(self.unplaced),
            "redacted": pounds(self.redacted),
        }


@dataclass
class SupplierSpend:
    """A supplier and what was spent with it: a repatriation target when not local."""

    supplier_id: SupplierId
    name: str
    pence: int
    tier: str
    registered_office_tier: str


@dataclass
class NameSpend:
    """An unresolved ledger name and what was spent with it (worth resolving first)."""

    name: str
    pence: int


@dataclass
class PeriodFigures:
    """Figures for one financial year (or, with year None, for all years together)."""

    year: int | None
    label: str
    split: TierSplit
    # Tiers counting registered offices only (branches ignored), where that differs.
    registered_office: TierSplit
    by_expense_type: dict[str, TierSplit] = field(default_factory=dict)
    by_ownership: dict[str, TierSplit] = field(default_factory=dict)
    by_sector: dict[str, TierSplit] = field(default_factory=dict)
    top_non_local: list[SupplierSpend] = field(default_factory=list)
    top_unresolved: list[NameSpend] = field(default_factory=list)


@dataclass
class ShareChange:
    label: str
    local_share: float | None
    wider_share: float | None
    # Percentage points since the previous year listed (None for the first).
    change: float | None


@dataclass
class SpendFigures:
    area: AnchorArea
    years: list[PeriodFigures]
    overall: PeriodFigures
    trend: list[ShareChange]

    def year(self, label_or_year) -> PeriodFigures | None:
        for period in self.years:
            if label_or_year in (period.label, period.year):
                return period
        return None

    def change(self, first=None, last=None) -> tuple[ShareChange, ShareChange] | None:
        """Return the local share in the first and last years (or the two given): 5% -> 18%."""
        if not self.trend:
            return None

        def find(which, default: int) -> ShareChange:
            if which is None:
                return self.trend[default]
            label = year_label(which) if isinstance(which, int) else which
            return next(t for t in self.trend if t.label == label)

        return find(first, 0), find(last, -1)


@dataclass
class GroupFigures:
    """Figures for a group of anchors together, and for each anchor against its own area."""

    combined: SpendFigures
    members: dict[Hashable, SpendFigures]


def spend_figures(
    table: PaymentTable,
    area: AnchorArea,
    locations: Mapping[SupplierId, object],
    *,
    ownership: Mapping[SupplierId, str] | None = None,
    sectors: Mapping[SupplierId, str] | None = None,
    supplier_names: Mapping[SupplierId, str] | None = None,
    top: int = 20,
    not_targets: Collection[SupplierId] = (),
) -> SpendFigures:
    """Return the figures of the table's payments measured against `area`.

    locations: supplier id -> its SupplierLocations (or an already computed SupplierTier).
    ownership / sectors: supplier id -> a label ("worker_coop", "sme", a SIC section...).
    not_targets: suppliers counted in every figure but not listed among the top suppliers not
    known to be local (public bodies: another council's services are not work a local firm
    could take on).
    """
    tiers = _supplier_tiers(table, area, locations)
    rows = _Rows(table, tiers)
    expense_labels = table.expense_types
    own_codes, own_labels = _label_codes(table, ownership)
    sector_codes, sector_labels = _label_codes(table, sectors) if sectors else (None, [])
    splits = {
        "split": rows.split(None, 1, tiers.tier),
        "registered_office": rows.split(None, 1, tiers.registered_office),
        "by_expense_type": rows.split(table.expense_type, len(expense_labels), tiers.tier),
        "by_ownership": rows.split(own_codes, len(own_labels), tiers.tier),
    }
    if sector_codes is not None:
        splits["by_sector"] = rows.split(sector_codes, len(sector_labels), tiers.tier)
    names = _display_names(table, supplier_names)
    left_out = set(not_targets)
    not_target = np.array([i in left_out for i in table.supplier_ids], dtype=bool)
    supplier_spend = rows.per_supplier()
    name_spend = rows.per_unresolved_name()

    def period(index: int | None) -> PeriodFigures:
        pick = slice(None) if index is None else index
        year = None if index is None else int(rows.years[index])
        figures = PeriodFigures(
            year=year,
            label="all years" if year is None else year_label(year),
            split=_split_at(splits["split"], pick, 0),
            registered_office=_split_at(splits["registered_office"], pick, 0),
            by_expense_type=_labelled(splits["by_expense_type"], pick, expense_labels),
            by_ownership=_labelled(splits["by_ownership"], pick, own_labels),
        )
        if "by_sector" in splits:
            figures.by_sector = _labelled(splits["by_sector"], pick, sector_labels)
        figures.top_non_local = _top_suppliers(supplier_spend, pick, tiers, names, table, top,
                                               not_target)
        figures.top_unresolved = _top_names(name_spend, pick, table.names, top)
        return figures

    years = [period(i) for i in range(len(rows.years))]
    return SpendFigures(area, years, period(None), _trend(years))


def group_figures(
    members: Mapping[Hashable, tuple[AnchorArea, PaymentTable]],
    area: AnchorArea,
    locations: Mapping[SupplierId, object],
    **options,
) -> GroupFigures:
    """Return figures for several anchors together (against `area`) and each against its own."""
    combined = spend_figures(
        concat_tables([table for _, table in members.values()]), area, locations, **options
    )
    each = {
        anchor: spend_figures(table, own_area, locations, **options)
        for anchor, (own_area, table) in members.items()
    }
    return GroupFigures(combined, each)


@dataclass
class _Tiers:
    tier: np.ndarray  # tier index per supplier code
    registered_office: np.ndarray


def _supplier_tiers(table: PaymentTable, area: AnchorArea, locations: Mapping) -> _Tiers:
    tier = np.full(len(table.supplier_ids), _UNKNOWN, dtype=np.int64)
    office = tier.copy()
    for code, supplier in enumerate(table.supplier_ids):
        found = locations.get(supplier)
        if found is None:
            continue
        if not isinstance(found, SupplierTier):
            found = classify_supplier(area, found)
        tier[code] = TIERS.index(found.tier)
        office[code] = TIERS.index(found.registered_office)
    return _Tiers(tier, office)


class _Rows:
    """Per-payment codes shared by every grouping."""

    def __init__(self, table: PaymentTable, tiers: _Tiers):
        self.table = table
        self.years, self.year = np.unique(table.financial_year, return_inverse=True)
        self.year = self.year.reshape(-1).astype(np.int64)
        self.resolved = table.supplier >= 0
        self.supplier = np.where(self.resolved, table.supplier, 0)
        self.status = np.where(self.resolved, 0, np.where(table.supplier == REDACTED, 2, 1))
        self.weights = table.pence.astype(np.float64)

    def _tier(self, per_supplier: np.ndarray) -> np.ndarray:
        if not len(per_supplier):
            return np.full(len(self.table), _UNKNOWN, dtype=np.int64)
        return np.where(self.resolved, per_supplier[self.supplier], _UNKNOWN)

    def split(self, codes: np.ndarray | None, size: int, per_supplier: np.ndarray) -> dict:
        """Return pence by (year, code, tier) and (year, code, status), and counts."""
        years = len(self.years)
        codes = np.zeros(len(self.table), dtype=np.int64) if codes is None else codes
        size = max(size, 1)
        cell = self.year * size + codes
        tier = self._tier(per_supplier)
        return {
            "tiers": _sum(cell * len(TIERS) + tier, self.weights, (years, size, len(TIERS))),
            "status": _sum(cell * 3 + self.status, self.weights, (years, size, 3)),
            "count": _sum(cell, self.table.payments, (years, size)),
        }

    def per_supplier(self) -> np.ndarray:
        size = max(len(self.table.supplier_ids), 1)
        cell = self.year[self.resolved] * size + self.supplier[self.resolved]
        return _sum(cell, self.weights[self.resolved], (len(self.years), size))

    def per_unresolved_name(self) -> np.ndarray:
        size = max(len(self.table.names), 1)
        mask = self.status == 1
        cell = self.year[mask] * size + self.table.name[mask]
        return _sum(cell, self.weights[mask], (len(self.years), size))


def _sum(cells: np.ndarray, weights: np.ndarray, shape: tuple) -> np.ndarray:
    # Pence are whole numbers and sums stay far below 2**53, so float sums are exact.
    total = np.bincount(cells, weights=weights, minlength=int(np.prod(shape)))
    return np.rint(total).astype(np.int64).reshape(shape)


def _label_codes(table: PaymentTable, labels: Mapping | None) -> tuple[np.ndarray, list[str]]:
    """Return a label code per payment: the supplier's label, "unresolved" or "redacted"."""
    labels = labels or {}
    per_supplier = [labels.get(s) or "unknown" for s in table.supplier_ids]
    index = {"unresolved": 0, "redacted": 1}
    supplier_codes = np.array([index.setdefault(label, len(index)) for label in per_supplier] + [0])
    resolved = table.supplier >= 0
    codes = np.where(
        resolved,
        supplier_codes[np.where(resolved, table.supplier, len(per_supplier))],
        np.where(table.supplier == REDACTED, 1, 0),
    )
    return codes.astype(np.int64), list(index)


def _split_at(split: dict, pick, code: int) -> TierSplit:
    tiers = split["tiers"][pick, code]
    status = split["status"][pick, code]
    count = split["count"][pick, code]
    if tiers.ndim > 1:  # all years
        tiers, status, count = tiers.sum(axis=0), status.sum(axis=0), count.sum(axis=0)
    return TierSplit(
        total=int(tiers.sum()),
        tiers={tier: int(tiers[i]) for i, tier in enumerate(TIERS)},
        resolved=int(status[0]),
        unresolved=int(status[1]),
        redacted=int(status[2]),
        payments=int(count),
    )


def _labelled(split: dict, pick, labels: list[str]) -> dict[str, TierSplit]:
    counts = split["count"][pick]
    present = counts.sum(axis=0) if counts.ndim > 1 else counts
    return {
        label or "(none)": _split_at(split, pick, code)
        for code, label in enumerate(labels)
        if present[code]
    }


def _display_names(table: PaymentTable, given: Mapping | None) -> list[str]:
    """Return a name per supplier code: the register's if given, else its first ledger name."""
    names = [""] * len(table.supplier_ids)
    resolved = np.flatnonzero(table.supplier >= 0)
    if len(resolved):
        codes, first = np.unique(table.supplier[resolved], return_index=True)
        for code, row in zip(codes.tolist(), resolved[first].tolist(), strict=True):
            names[code] = table.names[table.name[row]]
    if given:
        names = [given.get(s, n) for s, n in zip(table.supplier_ids, names, strict=True)]
    return names


def _top_suppliers(spend, pick, tiers: _Tiers, names, table, top,
                   not_target: np.ndarray) -> list[SupplierSpend]:
    amounts = spend[pick] if isinstance(pick, int) else spend.sum(axis=0)
    amounts = amounts[: len(table.supplier_ids)].copy()
    amounts[tiers.tier[: len(amounts)] == _LOCAL] = 0
    amounts[not_target[: len(amounts)]] = 0
    order = np.argsort(-amounts, kind="stable")[:top]
    return [
        SupplierSpend(
            table.supplier_ids[code],
            names[code],
            int(amounts[code]),
            TIERS[tiers.tier[code]],
            TIERS[tiers.registered_office[code]],
        )
        for code in order.tolist()
        if amounts[code] > 0
    ]


def _top_names(spend, pick, names: list[str], top: int) -> list[NameSpend]:
    amounts = spend[pick] if isinstance(pick, int) else spend.sum(axis=0)
    amounts = amounts[: len(names)]
    order = np.argsort(-amounts, kind="stable")[:top]
    return [NameSpend(names[i], int(amounts[i])) for i in order.tolist() if amounts[i] > 0]


def _trend(years: list[PeriodFigures]) -> list[ShareChange]:
    trend, previous = [], None
    for period in years:
        share = period.split.local_share
        change = None
        if previous is not None and share is not None:
            change = round((share - previous) * 100, 4)
        trend.append(ShareChange(period.label, share, period.split.wider_share, change))
        previous = share
    return trend
