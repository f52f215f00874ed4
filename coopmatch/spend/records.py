"""Plain records a spend ledger is read into."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopmatch.imports.records import RowError

# The order `Layout.positions` gives columns in: required roles, then Payment's optional fields.
POSITION_ROLES = (
    "date",
    "amount",
    "supplier",
    "expense_type",
    "department",
    "description",
    "supplier_ref",
    "transaction_id",
)


@dataclass(slots=True)
class Payment:
    """One payment line of an anchor's ledger. Credits have a negative amount."""

    line: int  # the row number a spreadsheet shows (1-based, header and blank rows counted)
    date: date
    amount_pence: int
    supplier_name: str
    expense_type: str = ""
    department: str = ""
    description: str = ""
    supplier_ref: str = ""
    transaction_id: str = ""
    redacted: bool = False
    source_file: str = ""
    sheet: str = ""
    # Stable across re-imports of the same payment, whichever file it arrives in.
    key: str = ""

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_pence).scaleb(-2)


@dataclass
class LedgerRowError(RowError):
    """A rejected ledger row: RowError plus the file and (for a workbook) the sheet."""

    file: str = ""
    sheet: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        if self.sheet:
            where = f"sheet {self.sheet!r}, {where}"
        if self.file:
            where = f"{self.file}, {where}"
        return f"{where}, {self.field}: {self.reason}"

    def as_dict(self) -> dict:
        where = {"file": self.file} | ({"sheet": self.sheet} if self.sheet else {})
        return where | super().as_dict()


@dataclass
class Layout:
    """How one block of rows was read: which column holds what, and how that was decided."""

    columns: dict[str, int]  # role -> 0-based column index
    header: list[str]
    # "header", "trailing header" (written below the rows), "given", "sibling" or "known order"
    found_by: str
    header_line: int = 0  # 0 when the file carries no header for these rows
    name: str = ""  # a known layout's name, when the header matched one

    # The column of each role in POSITION_ROLES order, and the row width the roles need.
    positions: tuple[int, ...] = field(init=False, repr=False)
    width: int = field(init=False, repr=False)

    def __post_init__(self):
        self.width = max(self.columns.values(), default=-1) + 1
        # An absent role points at `width`, one past the row: readers pad rows with a None there.
        self.positions = tuple(self.columns.get(role, self.width) for role in POSITION_ROLES)

    def describe(self) -> str:
        named = ", ".join(f"{role}={self.header[i] or i}" for role, i in self.columns.items())
        label = f"{self.name}: " if self.name else ""
        where = f" at line {self.header_line}" if self.header_line else ""
        return f"{label}{named} ({self.found_by}{where})"


@dataclass
class FileSummary:
    """What reading one file gave."""

    name: str
    rows: int = 0  # payments read
    errors: int = 0
    blank_rows: int = 0
    preamble_rows: int = 0  # titles and notes above the header, skipped
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)


@dataclass
class Ledger:
    """The payments read from one or more files of one anchor, and the rows that were rejected."""

    payments: list[Payment] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    def extend(self, other: "Ledger") -> None:
        self.payments.extend(other.payments)
        self.errors.extend(other.errors)
        self.files.extend(other.files)


def payment_content(payment: Payment) -> str:
    """Return what identifies a payment, whichever file it was read from."""
    return "\x1f".join(
        (
            payment.date.isoformat(),
            str(payment.amount_pence),
            payment.supplier_name,
            payment.transaction_id,
            payment.supplier_ref,
            payment.description,
            payment.expense_type,
            payment.department,
        )
    ).casefold()


def key_of(content: str, occurrence: int = 0) -> str:
    """Return the key of a payment's content and its count among identical rows of its file.

    Counting keeps two genuine identical payments as two rows, while re-importing the same
    file (or an overlapping one) adds nothing.
    """
    if occurrence:
        content = f"{content}\x1f{occurrence}"
    return hashlib.blake2b(content.encode(), digest_size=16).hexdigest()


def payment_key(payment: Payment, occurrence: int = 0) -> str:
    """Return the stable key of a payment (see `key_of`)."""
    return key_of(payment_content(payment), occurrence)


def spend_by_name(payments: Iterable[Payment]) -> dict[str, int]:
    """Return net pence per ledger supplier name (e.g. to order a review queue by money)."""
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.supplier_name] += payment.amount_pence
    return dict(totals)
