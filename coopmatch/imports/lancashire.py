"""Contracts Finder search-API notices as kept for the Lancashire councils (JSON and CSV).

The JSON is `{council_id: {meta, stats, contracts: [...]}}`; the CSV is the same contracts
flattened with a `council_id` column. `id` is the CF notice GUID, so notices become
`cf-<guid>`, and `awarded_supplier` may join several winners with commas (see
`split_supplier_names`). There are no supplier addresses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import (
    GUID,
    award_supplier,
    cf_notice_ocid,
    finish_notice,
    lenient_postcode,
    split_supplier_names,
    valid_cpv_codes,
)
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    SourceLike,
    first_unreadable,
    json_problem,
    load_json,
    open_source,
    parse_amount,
    parse_bool,
    parse_date,
    read_csv,
    tidy,
)
from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, RowError
from coopmatch.names import names_abandonment

_STATUSES = {
    "awarded": "awarded",
    "open": "open",
    "closed": "closed",
    "withdrawn": "cancelled",
    "cancelled": "cancelled",
}


def _value(contract: dict, *keys: str) -> float | None:
    for key in keys:
        amount = parse_amount(contract.get(key))
        if amount is not None:
            return amount
    return None


# The search API cut descriptions at 500 characters (stored, after cleaning, as 490 to 500).
CUT_DESCRIPTION_CHARS = 490
_WHOLE = re.compile(r"[.!?)\"'\u2019\u201d]\s*$")


def _marked_if_cut(description: str, raw: str) -> str:
    """End a description the search API cut short with "…", so that it does not read as the
    whole of it ("... will remain effect fo"): the original notice has the rest."""
    if len(raw) >= CUT_DESCRIPTION_CHARS and not _WHOLE.search(description):
        return description.rstrip(" ,;:-") + "…"
    return description


# The fields read as dates and amounts: one given that cannot be read refuses the notice,
# naming the field.
_DATES_AND_AMOUNTS = (("published_date", "date"), ("deadline_date", "date"),
                      ("awarded_date", "date"), ("value_low", "amount"),
                      ("value_high", "amount"), ("awarded_value", "amount"))


def notice_from_contract(
    contract: dict, *, cpv: CPVVocabulary, line: int
) -> NoticeRecord | RowError:
    """Turn one contract of the search-API layout into a notice."""
    notice_id = str(contract.get("id") or "").strip()
    if not notice_id:
        return RowError(line, "id", "the notice id is missing")
    if not GUID.fullmatch(notice_id):
        return RowError(line, "id", f"'{notice_id}' is not a Contracts Finder notice id")
    organisation = tidy(contract.get("organisation"))
    if not organisation:
        return RowError(line, "organisation", "the buyer's name is missing")
    raw_description = contract.get("description")
    description = _marked_if_cut(tidy(raw_description), str(raw_description or ""))
    title = tidy(contract.get("title")) or description[:120]
    if not title:
        return RowError(line, "title", "the notice has no title")
    problem = first_unreadable(line, ((key, kind, contract.get(key))
                                      for key, kind in _DATES_AND_AMOUNTS))
    if problem:
        return problem
    status = _STATUSES.get(str(contract.get("status") or "").strip().lower(), "open")
    winners = split_supplier_names(contract.get("awarded_supplier"))
    value = _value(contract, "awarded_value")
    # The SME flag and value describe the award as a whole: only one winner can carry the flag.
    sme = parse_bool(contract.get("awarded_to_sme")) if len(winners) == 1 else None
    awards = [
        AwardRecord(
            supplier=award_supplier(name, is_sme=sme, line=line),
            value=value,
            award_date=parse_date(contract.get("awarded_date")),
            lot_external_id=lot,
            external_id=notice_id,
        )
        for lot, name in winners
    ]
    if awards:
        status = "awarded"
    elif names_abandonment(contract.get("awarded_supplier")):
        status = "cancelled"  # "Tender abandoned" where the winner is named: no demand met
    if status == "open" and str(contract.get("notice_type") or "").lower() == "pipeline":
        status = "planned"
    region = tidy(contract.get("region"))
    return finish_notice(
        NoticeRecord(
            ocid=cf_notice_ocid(notice_id),
            title=title,
            buyer=BuyerRecord(name=organisation),
            line=line,
            description=description,
            cpv_codes=valid_cpv_codes(cpv, [contract.get("cpv_codes")]),
            value=_value(contract, "value_high", "value_low", "awarded_value"),
            status=status,
            published_date=parse_date(contract.get("published_date")),
            deadline=parse_date(contract.get("deadline_date")),
            delivery_postcode=lenient_postcode(contract.get("postcode")),
            delivery_area=region or None,
            notice_url=str(contract.get("url") or "").strip() or None,
            source="contracts_finder",
            awards=awards,
        )
    )


def _notices(
    contracts: Iterable[tuple[int, dict]], cpv: CPVVocabulary
) -> Iterator[NoticeRecord | RowError]:
    seen: set[str] = set()
    for line, contract in contracts:
        notice = notice_from_contract(contract, cpv=cpv, line=line)
        if isinstance(notice, NoticeRecord):
            # A joint notice is listed under each council that shares it: import it once.
            if notice.ocid in seen:
                continue
            seen.add(notice.ocid)
        yield notice


def _contracts(document) -> Iterator[dict | RowError]:
    if isinstance(document, list):
        yield from document
        return
    if isinstance(document, dict) and isinstance(document.get("contracts"), list):
        yield from document["contracts"]
        return
    if isinstance(document, dict):
        found = False
        for council in document.values():
            if isinstance(council, dict) and isinstance(council.get("contracts"), list):
                found = True
                yield from council["contracts"]
        if found:
            return
    yield RowError(0, "file", "this JSON has no 'contracts' lists of Contracts Finder notices")


def parse_json(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse the councils' JSON (or a bare list of contracts); line = contract number."""
    src = open_source(source, max_bytes=max_bytes)
    try:
        document = load_json(src.text)
    except json.JSONDecodeError as error:
        yield RowError(error.lineno, "file", json_problem(error, src.text))
        return
    numbered: list[tuple[int, dict]] = []
    for number, contract in enumerate(_contracts(document), start=1):
        if isinstance(contract, RowError):
            yield contract
        elif isinstance(contract, dict):
            numbered.append((number, contract))
        else:
            yield RowError(number, "contract", "a contract must be a JSON object")
    yield from _notices(numbered, cpv)


def parse_csv(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse the councils' flattened CSV."""
    reader = read_csv(
        open_source(source, max_bytes=max_bytes), required=["id", "title", "organisation"]
    )
    rows: list[tuple[int, dict]] = []
    for row in reader:
        if isinstance(row, RowError):
            yield row
        else:
            rows.append((row.line, row.values))
    yield from _notices(rows, cpv)
