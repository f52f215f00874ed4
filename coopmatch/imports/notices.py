"""Pieces every notice format shares: stable ids, forgiving CPV and postcodes, award suppliers.

Third-party feeds are messy, so a bad CPV code or supplier postcode inside an otherwise good
notice is dropped rather than rejecting the notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from coopmatch.cpv import CPVVocabulary
from coopmatch.errors import InvalidCPV, InvalidPostcode
from coopmatch.geo.postcodes import find_postcode, normalise_postcode
from coopmatch.imports.reading import clip, company_number, tidy
from coopmatch.imports.records import NoticeRecord, SupplierRecord
from coopmatch.names import clean_text, names_no_supplier, normalise_name

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
CONTRACTS_FINDER_PREFIX = "ocds-b5fd17-"
_RAW_PREFIX = re.compile(r"^(ocds-[0-9a-z]{6})raw-", re.IGNORECASE)
_TED_NUMBER = re.compile(r"(\d{1,6})-(\d{4})")
_SOURCES = {"ocds-b5fd17": "contracts_finder", "ocds-h6vhtk": "find_a_tender"}


def normalise_ocid(ocid: str) -> str:
    """Return an ocid with Bluetail's `ocds-b5fd17raw-` prefix put back to `ocds-b5fd17-`."""
    return _RAW_PREFIX.sub(r"\1-", ocid.strip())


def source_of_ocid(ocid: str) -> str:
    """Return where an OCDS ocid was published, by its registered prefix."""
    return _SOURCES.get(ocid[:11].lower(), "ocds")


def cf_notice_ocid(notice_id: str) -> str:
    """Return the stable id of a Contracts Finder notice known only by its notice GUID."""
    return f"cf-{notice_id.strip().lower()}"


def cf_ocid_from_release_key(key: str) -> str | None:
    """Return the CF ocid from a release id that starts with the ocid's GUID (Silvereye's)."""
    match = GUID.match(key.strip())
    return f"{CONTRACTS_FINDER_PREFIX}{match.group(0).lower()}" if match else None


def ted_ocid(url_or_number: str) -> str | None:
    """Return `ted-<notice number>` from a TED notice link or number (001412-2020)."""
    text = url_or_number.strip()
    match = re.search(r"NOTICE:(\d+-\d{4})", text, re.IGNORECASE) or _TED_NUMBER.search(text)
    if not match:
        return None
    number = match.group(1) if match.lastindex == 1 else f"{match.group(1)}-{match.group(2)}"
    return f"ted-{number}"


# Ids are built from names as names were first normalised: a trading name dropped, and
# nothing else. normalise_name now also drops notes ("- 362169", "(H7-Heathrow)") and may learn
# more, but an id must not change between imports, nor two ids become one.
_ID_TRADING_AS = re.compile(r"(?<=\w)\W+(?:t/a|ta|trading as|t\.a\.)(?=\W|$).*$", re.IGNORECASE)


def slug(text: str) -> str:
    """Return lower-case words joined by hyphens, for ids built from names."""
    words = normalise_name(_ID_TRADING_AS.sub("", clean_text(text)), keep_trading_name=True)
    return re.sub(r"[^a-z0-9]+", "-", words or text.lower()).strip("-")


def valid_cpv_codes(cpv: CPVVocabulary, codes: Iterable) -> list[str]:
    """Return the codes that are valid CPV 2008, in order, without repeats; drop the rest."""
    kept: dict[str, None] = {}
    for code in codes:
        if code is None:
            continue
        for part in re.split(r"[;,\s]+", str(code).strip()):
            if not part:
                continue
            if len(part) == 7 and part.isdigit():
                # A spreadsheet dropped the leading zero of 09323000 (divisions 03 and 09).
                part = "0" + part
            try:
                kept.setdefault(cpv.normalise(part), None)
            except InvalidCPV:
                continue
    return list(kept)


def lenient_postcode(*texts) -> str | None:
    """Return the first valid postcode among fields, or one found inside address text."""
    for text in texts:
        if text:
            try:
                return normalise_postcode(str(text))
            except InvalidPostcode:
                continue
    for text in texts:
        found = find_postcode(str(text)) if text else None
        if found:
            return found
    return None


def join_address(*parts) -> str | None:
    """Join address parts with commas, skipping blanks and repeats."""
    seen: dict[str, str] = {}
    for part in parts:
        text = tidy(part)
        if text:
            seen.setdefault(text.lower(), text)
    return ", ".join(seen.values()) or None


def award_supplier(
    name: str,
    *,
    address: str | None = None,
    postcode: str | None = None,
    registration_number: str | None = None,
    is_sme: bool | None = None,
    external_id: str | None = None,
    website: str | None = None,
    line: int = 0,
) -> SupplierRecord:
    """Return a supplier known from an award; a bad postcode is dropped, not an error."""
    return SupplierRecord(
        name=clip(tidy(name), 300) or "",
        line=line,
        address=clip(address, 500),
        postcode=lenient_postcode(postcode, address),
        registration_number=clip(company_number(registration_number), 40),
        is_sme=is_sme,
        external_id=clip(external_id, 120),
        website=clip(website, 300),
        source="award",
    )


_LOT_PREFIX = re.compile(r"^lot\s*([0-9]+[a-z]?)\s*[-:–]\s*(.+)$", re.IGNORECASE)
def split_supplier_names(text: str | None) -> list[tuple[str | None, str]]:
    """Split Contracts Finder's comma-joined winners into (lot, name) pairs.

    CF joins several suppliers with a bare comma ("A Ltd,B Ltd"), while a comma inside a
    name is nearly always followed by a space ("Knight, Kavanagh & Page"), so only bare commas
    split. "Lot 2 - Area - Name" keeps the lot and the last part as the name.
    """
    found: list[tuple[str | None, str]] = []
    seen: set[tuple[str | None, str]] = set()
    for part in re.split(r",(?!\s)", tidy(text)):
        name = part.strip(" ,;")
        lot = None
        match = _LOT_PREFIX.match(name)
        if match:
            lot, name = match.group(1), match.group(2).split(" - ")[-1].strip()
        if names_no_supplier(name):
            continue
        key = (lot, normalise_name(name))
        if key not in seen:
            seen.add(key)
            found.append((lot, name))
    return found


# How a notice's source says it is let. Contracts Finder's procedures are a pick list ("Call-off
# from a framework agreement", "CallOffFromFrameworkAgreement" in its CSV) or "Other" with the
# buyer's words ("Other - Further Competition - Framework", "Other Dynamic Purchasing System").
_CALL_OFF_PROCEDURE = re.compile(
    r"\bcall[- ]?off\b|\bfurther competition|\bmini[- ]?competition"
    r"|\bdirect award\b.{0,20}\bframework", re.IGNORECASE)
_DPS_PROCEDURE = re.compile(r"\bdynamic purchasing\b|\bdps\b", re.IGNORECASE)
_FRAMEWORK_PROCEDURE = re.compile(r"\bframework\b", re.IGNORECASE)
# Contracts Finder's own pick-list words for a DPS ("Call-off from a dynamic purchasing
# system"); a buyer's "Further Competition via ... DPS" is their own, and says what it is.
_DPS_PICK_LIST = re.compile(r"\bdynamic purchasing\b", re.IGNORECASE)


def arrangement_from(
    procedure: str | None = None, *, has_framework=None, has_dps=None
) -> str:
    """Return how a notice is let (a key of models.ARRANGEMENTS) from what its source states:
    its procedure's words, and OCDS `tender.techniques.hasFramework` /
    `hasDynamicPurchasingSystem`; "" where they do not say, leaving it to the notice's text.

    Contracts Finder's "Call-off from a dynamic purchasing system" is left unsaid: buyers pick
    it for the notice that sets a DPS up ("Highways DPS", "Multi-Supplier Dynamic Purchasing
    System to establish a List of Accredited Builders") as well as for contracts let from one.
    """
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", procedure or "")
    if _CALL_OFF_PROCEDURE.search(words):
        return "" if _DPS_PICK_LIST.search(words) else "call_off"
    if has_dps is True or _DPS_PROCEDURE.search(words):
        return "dps"
    if has_framework is True or _FRAMEWORK_PROCEDURE.search(words):
        return "framework"
    return ""


def finish_notice(notice: NoticeRecord) -> NoticeRecord:
    """Cut text to the tender table's column lengths."""
    notice.ocid = clip(notice.ocid, 200) or notice.ocid
    notice.title = clip(notice.title, 500) or ""
    notice.buyer.name = clip(notice.buyer.name, 300) or ""
    notice.delivery_area = clip(notice.delivery_area, 200)
    notice.notice_url = clip(notice.notice_url, 500)
    for lot in notice.lots:
        lot.title = clip(lot.title, 500) or ""
        lot.external_id = clip(lot.external_id, 120)
    for award in notice.awards:
        award.external_id = clip(award.external_id, 200)
    return notice
