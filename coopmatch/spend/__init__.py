"""Anchor spend analysis (the CLES method): ledgers in, local-spend figures out. Pure code.

The steps: `read_ledgers(paths)` gives Payments and RowErrors; `resolve_suppliers(names,
register, decisions)` gives a Resolution per ledger name; `build_table(payments, resolutions)`
turns payments into columns; `spend_figures(table, area, locations, ownership=...)` gives the
figures per financial year (and `group_figures` for several anchors together).
"""

from coopmatch.spend.figures import (
    GroupFigures,
    NameSpend,
    PaymentTable,
    PeriodFigures,
    ShareChange,
    SpendFigures,
    SupplierSpend,
    TierSplit,
    build_table,
    concat_tables,
    group_figures,
    spend_figures,
    table_from_columns,
)
from coopmatch.spend.ledger import read_ledger, read_ledgers, sibling_header
from coopmatch.spend.records import (
    FileSummary,
    Layout,
    Ledger,
    LedgerRowError,
    Payment,
    payment_key,
)
from coopmatch.spend.resolve import (
    REJECTED,
    Candidate,
    Resolution,
    SupplierRegister,
    Thresholds,
    decision_key,
    resolve_suppliers,
)
from coopmatch.spend.tiers import (
    BRANCH,
    REGISTERED_OFFICE,
    TIER_LABELS,
    TIERS,
    AnchorArea,
    SupplierLocation,
    SupplierTier,
    classify_supplier,
    classify_suppliers,
    location_tier,
)
from coopmatch.spend.values import (
    financial_year,
    is_redacted,
    parse_amount,
    parse_date,
    year_label,
)

__all__ = [
    "BRANCH",
    "REGISTERED_OFFICE",
    "REJECTED",
    "TIERS",
    "TIER_LABELS",
    "AnchorArea",
    "Candidate",
    "FileSummary",
    "GroupFigures",
    "Layout",
    "Ledger",
    "LedgerRowError",
    "NameSpend",
    "Payment",
    "PaymentTable",
    "PeriodFigures",
    "Resolution",
    "ShareChange",
    "SpendFigures",
    "SupplierLocation",
    "SupplierRegister",
    "SupplierSpend",
    "SupplierTier",
    "Thresholds",
    "TierSplit",
    "build_table",
    "classify_supplier",
    "classify_suppliers",
    "concat_tables",
    "decision_key",
    "financial_year",
    "group_figures",
    "is_redacted",
    "location_tier",
    "parse_amount",
    "parse_date",
    "payment_key",
    "read_ledger",
    "read_ledgers",
    "resolve_suppliers",
    "sibling_header",
    "spend_figures",
    "table_from_columns",
    "year_label",
]
