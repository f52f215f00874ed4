"""Every table of coopmatch, in one module so that relationships never import in a cycle.

Lists of codes (CPV, SIC, accreditations) are stored as space-separated text: portable across
SQLite and PostgreSQL, and a CPV division filter is a plain LIKE.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

# Ids are PostgreSQL integers: a larger number names no row (and would overflow the drivers).
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time, timezone-aware."""
    return datetime.now(UTC)


def _timestamp(**kwargs) -> Field:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        **kwargs,
    )


def split_codes(text: str | None) -> list[str]:
    """Split a stored space-separated code list."""
    return [c for c in (text or "").split() if c]


def join_codes(codes) -> str:
    """Store a list of codes as space-separated text, de-duplicated, order kept."""
    seen: dict[str, None] = {}
    for code in codes or ():
        code = str(code).strip()
        if code:
            seen.setdefault(code, None)
    return " ".join(seen)


# --- vocabularies -----------------------------------------------------------------------------

ORGANISATION_KINDS = {
    "council": "Council",
    "nhs": "NHS trust or health body",
    "education": "School, college or university",
    "housing": "Housing association",
    "police_fire": "Police or fire service",
    "other_public": "Other public body",
    "agency": "Co-op development agency",
}

ROLES = {
    "procurement": "Procurement officer",
    "supplier": "Supplier (SME or co-operative)",
    "agency": "Development agency",
    "admin": "Administrator",
}

OWNERSHIP_MODELS = {
    "worker_coop": "Worker co-operative",
    "consumer_coop": "Consumer co-operative",
    "multi_stakeholder_coop": "Multi-stakeholder co-operative",
    "community_benefit_society": "Community benefit society",
    "employee_owned": "Employee-owned business",
    "social_enterprise": "Social enterprise or CIC",
    "charity": "Charity",
    "sme": "Small or medium-sized business",
    "large_company": "Large company",
    "public_body": "Public body",
    # A supplier its source does not describe: an award notice's winner that no notice flags
    # as an SME or not (one of several winners), or a register file's row with no ownership.
    # Never guessed to be an SME.
    "unknown": "Ownership not known",
}
# Democratic and social ownership models that an ownership preference favours.
SOCIAL_OWNERSHIP = frozenset(
    {
        "worker_coop",
        "consumer_coop",
        "multi_stakeholder_coop",
        "community_benefit_society",
        "employee_owned",
        "social_enterprise",
        "charity",
    }
)

TURNOVER_BANDS = {
    "under_100k": ("Under £100,000", 100_000),
    "100k_500k": ("£100,000 to £500,000", 500_000),
    "500k_2m": ("£500,000 to £2 million", 2_000_000),
    "2m_10m": ("£2 million to £10 million", 10_000_000),
    "10m_50m": ("£10 million to £50 million", 50_000_000),
    "over_50m": ("Over £50 million", 500_000_000),
}

ACCREDITATIONS = {
    "real_living_wage": "Real Living Wage employer",
    "good_work_pledge": "Good Work pledge or charter",
}

SUPPLIER_STATUSES = {"active": "Active", "inactive": "Inactive", "dissolved": "Dissolved"}

# Where a register entry came from: registered itself, or known from imports and awards.
SUPPLIER_SOURCES = {
    "self_registered": "Registered on coopmatch",
    "award": "Known from contract awards",
    "register_import": "Imported supplier register",
    "coops_uk": "Co-operatives UK open data",
    "companies_house": "Companies House",
    "demo": "Demo data",
    "ledger": "Added from a payment ledger",
}

# The source of a tender posted in coopmatch itself, not imported.
POSTED_HERE = "coopmatch"
# An imported notice that gives no deadline (a planned notice, as a rule) is taken as current
# for this long after it was published, or until its contract was due to start.
STALE_AFTER_DAYS = 365

TENDER_STATUSES = {
    "planned": "Planned",
    "open": "Open",
    "closed": "Closed",
    "awarded": "Awarded",
    "cancelled": "Cancelled",
}

RECURRENCE = {"one_off": "One-off", "recurring": "Recurring"}

# How a tender is let, where its buyer or source says so; "" leaves it to the notice's words
# (coopmatch.matching.signals.how_bought). A framework's or DPS's value is a ceiling shared by
# its suppliers; a call-off is one contract let from either.
ARRANGEMENTS = {
    "": "Not stated",
    "contract": "A contract",
    "framework": "A framework agreement",
    "dps": "A dynamic purchasing system (DPS)",
    "call_off": "A call-off from a framework or DPS",
}


# --- organisations and people -----------------------------------------------------------------


class OrganisationBase(SQLModel):
    name: str = Field(max_length=300, index=True)
    kind: str = Field(default="other_public", max_length=20)
    postcode: str | None = Field(default=None, max_length=10)
    local_authority_code: str | None = Field(default=None, max_length=9, index=True)


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Lower-cased name with legal suffixes removed: how imports recognise a buyer again.
    normalised_name: str = Field(default="", max_length=300, index=True)
    # Names it also goes by, one a line: those of organisations merged into it, so that an
    # import that names one of them finds this organisation.
    other_names: str = Field(default="", sa_type=sa.Text)
    county_code: str | None = Field(default=None, max_length=9)
    region_code: str | None = Field(default=None, max_length=9)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = _timestamp()

    tenders: list["Tender"] = Relationship(back_populates="buyer")
    users: list["User"] = Relationship(back_populates="organisation")

    @property
    def names(self) -> list[str]:
        """Its name, then the names it also goes by."""
        return [self.name, *(n for n in self.other_names.splitlines() if n.strip())]


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, sa_column_kwargs={"unique": True}, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    supplier_id: int | None = Field(default=None, foreign_key="supplier.id")
    active: bool = True
    created_at: datetime = _timestamp()

    organisation: Optional["Organisation"] = Relationship(back_populates="users")
    supplier: Optional["Supplier"] = Relationship(back_populates="users")

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


# --- suppliers --------------------------------------------------------------------------------


class SupplierBase(SQLModel):
    name: str = Field(max_length=300, index=True)
    description: str = Field(default="", sa_type=sa.Text)
    postcode: str | None = Field(default=None, max_length=10)
    ownership: str = Field(default="sme", max_length=30)
    legal_form: str | None = Field(default=None, max_length=120)
    registration_number: str | None = Field(default=None, max_length=40, index=True)
    employees: int | None = None
    turnover_band: str | None = Field(default=None, max_length=20)
    max_contract_value: float | None = None
    cpv_codes: str = Field(default="", sa_type=sa.Text)
    sic_codes: str = Field(default="", max_length=200)
    accreditations: str = Field(default="", max_length=200)
    service_radius_km: float | None = None
    website: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=40)
    status: str = Field(default="active", max_length=20)
    succession_risk: bool = False
    incorporation_date: date | None = None


class Supplier(SupplierBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    normalised_name: str = Field(default="", max_length=300, index=True)
    latitude: float | None = None
    longitude: float | None = None
    local_authority_code: str | None = Field(default=None, max_length=9, index=True)
    county_code: str | None = Field(default=None, max_length=9, index=True)
    region_code: str | None = Field(default=None, max_length=9, index=True)
    source: str = Field(default="self_registered", max_length=30)
    # Known registers' own ids, e.g. a Co-operatives UK identifier or an OCDS party id.
    external_id: str | None = Field(default=None, max_length=120, index=True)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    awards: list["Award"] = Relationship(back_populates="supplier")
    users: list["User"] = Relationship(back_populates="supplier")

    @property
    def cpv_list(self) -> list[str]:
        return split_codes(self.cpv_codes)

    @property
    def sic_list(self) -> list[str]:
        return split_codes(self.sic_codes)

    @property
    def accreditation_list(self) -> list[str]:
        return split_codes(self.accreditations)

    @property
    def capacity_gbp(self) -> float | None:
        """Return the largest contract value the supplier can take, if known."""
        if self.max_contract_value:
            return self.max_contract_value
        band = TURNOVER_BANDS.get(self.turnover_band or "")
        # The usual public-sector test: turnover of at least twice the contract value.
        return band[1] / 2 if band else None


class SupplierPublic(SQLModel):
    id: int
    name: str
    description: str
    postcode: str | None
    ownership: str
    local_authority_code: str | None
    region_code: str | None
    cpv_codes: str
    website: str | None


# --- tenders, lots and awards -----------------------------------------------------------------


class TenderBase(SQLModel):
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_type=sa.Text)
    cpv_codes: str = Field(default="", sa_type=sa.Text)
    value: float | None = None
    currency: str = Field(default="GBP", max_length=3)
    status: str = Field(default="open", max_length=20, index=True)
    published_date: date | None = None
    deadline: date | None = None
    delivery_postcode: str | None = Field(default=None, max_length=10)
    delivery_area: str | None = Field(default=None, max_length=200)
    contract_start: date | None = None
    contract_end: date | None = None
    recurrence: str = Field(default="one_off", max_length=20)
    social_value: str = Field(default="", sa_type=sa.Text)
    arrangement: str = Field(default="", max_length=20)  # a key of ARRANGEMENTS


class Tender(TenderBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="organisation.id", index=True)
    ocid: str | None = Field(default=None, max_length=200, sa_column_kwargs={"unique": True})
    notice_url: str | None = Field(default=None, max_length=500)
    source: str = Field(default=POSTED_HERE, max_length=40)
    # Where the work is delivered (or the buyer's location), for geography.
    latitude: float | None = None
    longitude: float | None = None
    local_authority_code: str | None = Field(default=None, max_length=9, index=True)
    county_code: str | None = Field(default=None, max_length=9)
    region_code: str | None = Field(default=None, max_length=9)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    buyer: "Organisation" = Relationship(back_populates="tenders")
    lots: list["Lot"] = Relationship(
        back_populates="tender",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Lot.number"},
    )
    awards: list["Award"] = Relationship(
        back_populates="tender", sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )

    @property
    def cpv_list(self) -> list[str]:
        return split_codes(self.cpv_codes)

    @property
    def deadline_passed(self) -> bool:
        """Open or planned at its source, but past its deadline: no longer biddable (an imported
        notice may stay "active" long after it closed)."""
        return self.status in ("open", "planned") and self.deadline is not None \
            and self.deadline < date.today()

    @property
    def out_of_date(self) -> bool:
        """Imported, open or planned at its source with no deadline, and its contract was due
        to start before today or, giving no start, it was published over STALE_AFTER_DAYS ago:
        most likely let or dropped since, though its source never said so. A tender posted
        here is its buyer's to close."""
        if self.status not in ("open", "planned") or self.deadline is not None \
                or self.source == POSTED_HERE:
            return False
        today = date.today()
        if self.contract_start is not None:
            return self.contract_start < today
        return self.published_date is not None \
            and self.published_date < today - timedelta(days=STALE_AFTER_DAYS)


class Lot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    number: int = 1
    title: str = Field(default="", max_length=500)
    description: str = Field(default="", sa_type=sa.Text)
    value: float | None = None
    cpv_codes: str = Field(default="", sa_type=sa.Text)
    external_id: str | None = Field(default=None, max_length=120)

    tender: "Tender" = Relationship(back_populates="lots")

    @property
    def cpv_list(self) -> list[str]:
        return split_codes(self.cpv_codes)


class Award(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    value: float | None = None
    currency: str = Field(default="GBP", max_length=3)
    award_date: date | None = None
    external_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = _timestamp()

    tender: "Tender" = Relationship(back_populates="awards")
    supplier: "Supplier" = Relationship(back_populates="awards")
    lot: Optional["Lot"] = Relationship()


# --- audit ------------------------------------------------------------------------------------


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    summary: str = Field(default="", sa_type=sa.Text)


class SupplierMerge(SQLModel, table=True):
    """One supplier folded into another (`merge_suppliers`), with what it takes to undo it:
    the deleted supplier as it was, and which contracts, ledger names, accounts and fields
    of the kept one the merge changed (JSON)."""

    __tablename__ = "supplier_merge"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    kept_id: int = Field(index=True)
    kept_name: str = Field(max_length=300)
    removed_id: int
    removed_name: str = Field(max_length=300)
    record: str = Field(default="{}", sa_type=sa.Text)
    undone_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class SupplierRemoval(SQLModel, table=True):
    """A supplier removed from the register (`remove_supplier`, or a placeholder winner an
    import dropped), with what it takes to undo it: the supplier as it was, the awards deleted
    with it, and the ledger names left unresolved (JSON)."""

    __tablename__ = "supplier_removal"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    removed_id: int
    removed_name: str = Field(max_length=300)
    why: str = Field(default="", max_length=200)
    record: str = Field(default="{}", sa_type=sa.Text)
    undone_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class DistinctPair(SQLModel, table=True):
    """Two suppliers, or two organisations, that an administrator judged to be two, not one
    listed twice: the duplicate lists no longer offer them for merging. `first_id` is the
    smaller id; the names are as they were when marked."""

    __tablename__ = "distinct_pair"
    __table_args__ = (sa.UniqueConstraint("kind", "first_id", "second_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    kind: str = Field(max_length=20)  # "supplier" or "organisation"
    first_id: int
    first_name: str = Field(max_length=300)
    second_id: int
    second_name: str = Field(max_length=300)


# --- input shapes for services (validated by forms, API and imports) --------------------------


class SupplierCreate(SupplierBase):
    """A supplier profile as submitted: codes are space-separated, postcode unvalidated."""


class OrganisationCreate(OrganisationBase):
    pass


class LotCreate(SQLModel):
    title: str = ""
    description: str = ""
    value: float | None = None
    cpv_codes: str = ""


class TenderCreate(TenderBase):
    buyer_id: int | None = None
    lots: list[LotCreate] = []


# --- import jobs -------------------------------------------------------------------------------

IMPORT_JOB_STATUSES = {
    "uploaded": "Uploaded, waiting for you to check it",
    "queued": "Waiting to start",
    "running": "Importing",
    "done": "Imported",
    "rejected": "Not imported: rows have problems",
    "failed": "Failed",
    "expired": "Deleted unimported: upload it again",
}


class ImportJob(SQLModel, table=True):
    """A file uploaded through the web, and what importing it did."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    format: str = Field(max_length=40)
    # "import": the file is imported; "locate": it places suppliers with no postcode (admin).
    kind: str = Field(default="import", max_length=20)
    filename: str = Field(max_length=300)
    stored_path: str = Field(max_length=500)
    # A payment ledger's anchor (the organisation whose payments it lists); None for notices
    # and registers.
    anchor_id: int | None = Field(default=None, foreign_key="organisation.id")
    size_bytes: int = 0
    skip_invalid: bool = False
    dry_run: bool = False
    status: str = Field(default="uploaded", max_length=20)
    # Who runs a started import: "process:<host>:<pid>:<token>" (the web process, in a thread
    # or the request) or "rq:<RQ job id>", so that one whose runner stopped can be told.
    runner: str = Field(default="", max_length=200)
    message: str = Field(default="", sa_type=sa.Text)
    # The ImportSummary as JSON, once finished.
    result: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = _timestamp()
    started_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# --- spend analysis ----------------------------------------------------------------------------

LEDGER_NAME_STATUSES = {
    "auto": "Matched automatically",
    "confirmed": "Confirmed by a person",
    "review": "Waiting for review",
    "disputed": "Said not to be this supplier: waiting for review",
    "rejected": "Rejected: no supplier in the register",
    "unresolved": "Not resolved",
    "redacted": "Redacted by the publisher",
}
# Statuses whose supplier counts in the figures.
RESOLVED_STATUSES = ("auto", "confirmed")


class LedgerName(SQLModel, table=True):
    """A supplier name as ledgers write it, and the register supplier it resolves to.

    One row per distinct name (by its normalised key) across every anchor, so a person's
    decision applies to every ledger and survives re-imports.
    """

    __tablename__ = "ledger_name"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=300)
    supplier_id: int | None = Field(default=None, foreign_key="supplier.id", index=True)
    status: str = Field(default="unresolved", max_length=20, index=True)
    confidence: float = 0.0
    # The candidates a reviewer chooses from, as JSON.
    candidates: str = Field(default="[]", sa_type=sa.Text)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Said not to be its supplier (status "disputed"): by whom, and its status before, to
    # which an undo returns it.
    disputed_by_id: int | None = Field(default=None, foreign_key="user.id")
    disputed_from: str | None = Field(default=None, max_length=20)
    updated_at: datetime = _timestamp()


class Payment(SQLModel, table=True):
    """One line of an anchor's published payments ledger."""

    # A payee's payments from one anchor (what it paid a supplier: spend.paid_by_anchor).
    __table_args__ = (sa.UniqueConstraint("anchor_id", "row_key"),
                      sa.Index("ix_payment_anchor_id_ledger_name_id", "anchor_id",
                               "ledger_name_id"))

    id: int | None = Field(default=None, primary_key=True)
    anchor_id: int = Field(foreign_key="organisation.id", index=True)
    ledger_name_id: int | None = Field(default=None, foreign_key="ledger_name.id", index=True)
    payment_date: date = Field(index=True)
    # Pence, so that sums are exact; credits are negative.
    amount_pence: int = Field(sa_type=sa.BigInteger)
    redacted: bool = False
    expense_type: str = Field(default="", max_length=300)
    department: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=500)
    supplier_ref: str = Field(default="", max_length=100)
    transaction_id: str = Field(default="", max_length=100)
    source_file: str = Field(default="", max_length=300)
    line: int = 0
    # A hash of the payment's content: re-importing a ledger adds nothing twice.
    row_key: str = Field(max_length=64)


# --- word search ---------------------------------------------------------------------------------


def _trigram_index(name: str, column) -> sa.Index:
    """On PostgreSQL, a trigram index (pg_trgm) on a text column in lower case: searches by
    words (`lower(title) LIKE '%word%'`) read it instead of every row. 100,000 tenders: 0.7 s
    -> 25 ms. SQLite has none (migration 0015). The register's search is not indexed so: it
    asks for a word in a supplier's name, description or contracts won, an OR across tables
    that no index answers (a union of the three was faster for rare words, slower for common
    ones)."""
    label = f"lower_{column.name}"
    return sa.Index(name, sa.func.lower(column).label(label), postgresql_using="gin",
                    postgresql_ops={label: "gin_trgm_ops"}).ddl_if(dialect="postgresql")


TRIGRAM_INDEXES = (
    _trigram_index("ix_tender_title_trgm", Tender.__table__.c.title),
    _trigram_index("ix_tender_description_trgm", Tender.__table__.c.description),
)
