"""Plain records that every import format is parsed into, and the errors a row can carry.

Parsers turn a file into these; the import service turns these into rows. Nothing here knows
about the database, so each format is tested on its own with the real files.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class RowError:
    """Why one row (or record) of an input was rejected."""

    line: int  # 1-based line (CSV) or record number (JSON); 0 for the file as a whole
    field: str
    reason: str
    raw: dict | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        return f"{where}, {self.field}: {self.reason}"

    def as_dict(self) -> dict:
        """Where and why, as stored with an import's result and given by the API."""
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class SupplierRecord:
    name: str
    line: int = 0
    description: str = ""
    postcode: str | None = None
    address: str | None = None
    cpv_codes: list[str] = field(default_factory=list)
    sic_codes: list[str] = field(default_factory=list)
    ownership: str | None = None
    legal_form: str | None = None
    registration_number: str | None = None
    employees: int | None = None
    turnover_band: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str | None = None
    incorporation_date: date | None = None
    succession_risk: bool | None = None
    is_sme: bool | None = None
    # e.g. "coops_uk", "companies_house", "award", "register_import"
    source: str = "register_import"
    external_id: str | None = None
    # Other names the organisation is known by (a registered name beside its trading name).
    other_names: list[str] = field(default_factory=list)


@dataclass
class BuyerRecord:
    name: str
    postcode: str | None = None
    external_id: str | None = None
    kind: str | None = None


@dataclass
class LotRecord:
    external_id: str | None
    title: str = ""
    description: str = ""
    value: float | None = None
    cpv_codes: list[str] = field(default_factory=list)


@dataclass
class AwardRecord:
    supplier: SupplierRecord
    value: float | None = None
    currency: str = "GBP"
    award_date: date | None = None
    lot_external_id: str | None = None
    external_id: str | None = None


@dataclass
class NoticeRecord:
    """One tender (compiled from all its releases), with its lots and awards."""

    ocid: str  # an OCDS ocid, or a stable id made from the source's own notice id
    title: str
    buyer: BuyerRecord
    line: int = 0
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    value: float | None = None
    currency: str = "GBP"
    status: str = "open"
    published_date: date | None = None
    deadline: date | None = None
    delivery_postcode: str | None = None
    delivery_area: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    recurrence: str | None = None
    social_value: str = ""
    arrangement: str = ""  # as the source states it (notices.arrangement_from), or ""
    notice_url: str | None = None
    source: str = "import"
    lots: list[LotRecord] = field(default_factory=list)
    awards: list[AwardRecord] = field(default_factory=list)


Record = SupplierRecord | NoticeRecord
