"""Which column of a ledger holds what: header names councils use, and layouts seen in the wild."""

import re

# What a ledger column can mean. `supplier`, `date` and `amount` must be found.
ROLES = (
    "date",
    "amount",
    "supplier",
    "transaction_id",
    "supplier_ref",
    "department",
    "expense_type",
    "description",
)
REQUIRED = ("date", "amount", "supplier")

# Header names, best first, in the form `header_key` gives them. A column goes to the role whose
# list names it earliest; "service area" is a department where there is no "department area",
# and an expense type only when a department was already found.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "payment date",
        "invoice payment date",
        "date of payment",
        "date paid",
        "paid date",
        "transaction date",
        "date",
        "posted date",
        "posting date",
        "invoice date",
    ),
    "amount": (
        "net amount",
        "amount paid",
        "net amount gbp",
        "amount gbp",
        "amount",
        "net",
        "net value",
        "amount excluding vat",
        "amount excl vat",
        "total invoice amount",
        "invoice amount",
        "payment amount",
        "transaction amount",
        "total amount",
        "total",
        "value",
        "gross amount",
        "gross",
    ),
    "supplier": (
        "supplier name",
        "supplier",
        "supplier final",
        "name",
        "payee name",
        "payee",
        "vendor name",
        "vendor",
        "beneficiary name",
        "beneficiary",
        "merchant name",
        "creditor name",
        "creditor",
        "recipient name",
        "recipient",
        "company name",
    ),
    "transaction_id": (
        "transaction number",
        "transaction id",
        "transaction no",
        "transaction reference",
        "document number",
        "document no",
        "invoice number",
        "invoice no",
        "invoice reference",
        "payment reference",
        "payment ref",
        "voucher number",
        "voucher no",
        "reference",
        "ref",
    ),
    "supplier_ref": (
        "supplier ref",
        "supplier reference",
        "supplier id",
        "supplier number",
        "supplier code",
        "vendor id",
        "vendor number",
        "creditor number",
        "creditor id",
        "payee id",
        "hbc ref no",
        "hbc ref",
    ),
    "department": (
        "department",
        "department area",
        "department name",
        "directorate",
        "directorate or service area",
        "cost centre or department",
        "service cost centre",
        "service division",
        "cost centre name",
        "cost centre",
        "expense area",
        "service area",
        "service",
    ),
    "expense_type": (
        "expense type",
        "expenses type",
        "expenditure type",
        "expense category",
        "expenditure category",
        "account detail",
        "account detail or service area",
        "subjective description",
        "gl description",
        "account description",
        "purchase category",
        "proclass",
        "category",
        "service area",
    ),
    "description": (
        "description",
        "narrative",
        "details",
        "item description",
        "line description",
        "purpose of expenditure",
        "purpose",
        "supplier classification",
    ),
}

# Looser tests for headers no list names, tried in this order after the exact names.
_LOOSE = (
    ("date", re.compile(r"\bdate\b")),
    ("amount", re.compile(r"\b(?:amount|value|net|gbp|total)\b")),
    (
        "supplier_ref",
        re.compile(r"\b(?:supplier|vendor|creditor|payee)\b.*\b(?:id|ref|number|no|code)\b"),
    ),
    (
        "supplier",
        re.compile(r"\b(?:supplier|payee|vendor|beneficiary|merchant|creditor|recipient)\b"),
    ),
    (
        "transaction_id",
        re.compile(
            r"\b(?:transaction|invoice|document|voucher)\b.*\b(?:id|ref|reference|number|no)\b"
        ),
    ),
    ("department", re.compile(r"\b(?:department|directorate|cost centre|service)\b")),
    (
        "expense_type",
        re.compile(r"\b(?:expense|expenses|expenditure|account|category|subjective)\b"),
    ),
    ("description", re.compile(r"\b(?:description|narrative|details?|purpose)\b")),
)

# Headers of real ledgers, by name: a header-less file borrows the column order of one of these,
# and a header with one unreadable cell (Hyndburn's "+" for "Service Cost Centre") is mended.
KNOWN_LAYOUTS: dict[str, tuple[str, ...]] = {
    "hyndburn-2017": (
        "Service Cost Centre",
        "Account Detail",
        "Description",
        "HBC ref no",
        "Name",
        "Payment date",
        "Net Amount(£)",
    ),
    "hyndburn-2022": (
        "Service Cost Centre",
        "Account Detail",
        "Description",
        "HBC ref no",
        "Name",
        "Payment date",
        "Net Amount",
        "RecId",
    ),
    "hyndburn-2024": (
        "Department Area",
        "Service Area",
        "Description",
        "Line",
        "HBC Ref No.",
        "Name:",
        "Payment Date",
        "Amount Paid",
    ),
    "lancashire-pcc": ("Expenditure Category", "Date", "Total Invoice Amount", "SUPPLIER"),
    "lancashire-fire": (
        "Transaction Number",
        "Date",
        "Expenditure Category",
        "Supplier Name",
        "Supplier Classification",
        "Amount",
    ),
    "lancashire-fire-2022": (
        "Transaction Number",
        "Date",
        "Subjective Description",
        "Supplier Name",
        "Amount",
    ),
    "manchester": (
        "Body Name",
        "Service Area",
        "Expenses Type",
        "Invoice Payment Date",
        "Transaction Number",
        "Net Amount",
        "Supplier Name",
    ),
    "salford": (
        "authority_name",
        "date_of_payment",
        "document_number",
        "gross",
        "vat",
        "net",
        "supplier_name",
        "directorate_or_service_area",
        "gl_description",
    ),
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_RANK = {role: {name: rank for rank, name in enumerate(names)} for role, names in SYNONYMS.items()}


def header_key(cell) -> str:
    """Return a header cell reduced for comparison: "* Net Amount (£)" -> "net amount"."""
    if cell is None:
        return ""
    return _NOT_WORD.sub(" ", str(cell).lower()).strip()


def _known_keys() -> dict[str, tuple[str, ...]]:
    return {name: tuple(header_key(c) for c in cells) for name, cells in KNOWN_LAYOUTS.items()}


_KNOWN_KEYS = _known_keys()


def assign_roles(header: list) -> dict[str, int]:
    """Return role -> column index for a header row, using exact names, then looser tests."""
    keys = [header_key(cell) for cell in header]
    columns: dict[str, int] = {}
    used: set[int] = set()
    for role in ROLES:
        ranks = _RANK[role]
        best = min(
            ((ranks[key], i) for i, key in enumerate(keys) if key in ranks and i not in used),
            default=None,
        )
        if best is not None:
            columns[role] = best[1]
            used.add(best[1])
    for role, pattern in _LOOSE:
        if role in columns:
            continue
        for i, key in enumerate(keys):
            if i not in used and key and pattern.search(key):
                columns[role] = i
                used.add(i)
                break
    return columns


def looks_like_header(cells: list) -> bool:
    """Return True for a row that names the date, amount and supplier columns."""
    filled = [c for c in cells if c is not None and str(c).strip()]
    if len(filled) < 3 or any(not isinstance(c, str) for c in filled):
        return False
    columns = assign_roles(list(cells))
    return all(role in columns for role in REQUIRED)


def known_layout(cells: list) -> tuple[str, tuple[str, ...]] | None:
    """Return the known layout whose named columns this header has, allowing one unreadable cell."""
    named = [header_key(c) for c in cells if c is not None and str(c).strip()]
    for name, keys in _KNOWN_KEYS.items():
        if len(keys) != len(named):
            continue
        differences = sum(a != b for a, b in zip(keys, named, strict=True))
        if differences <= 1:
            return name, KNOWN_LAYOUTS[name]
    return None


def mend_header(cells: list) -> tuple[list, str]:
    """Return the header with the names of the known layout it matches, and that layout's name."""
    match = known_layout(cells)
    if not match:
        return list(cells), ""
    name, known = match
    mended = list(cells)
    names = iter(known)
    for i, cell in enumerate(cells):
        if cell is not None and str(cell).strip():
            mended[i] = next(names)
    return mended, name
