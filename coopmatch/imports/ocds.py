"""Open Contracting Data Standard (OCDS 1.0 and 1.1) releases and records, into notices.

Accepts release packages, record packages, single records or releases, a bare list of them,
JSON Lines (one of those a line), and the sample-data wrapper
`{record_packages: [{path, data}], release_packages: [{path, data}]}`. Every release of one
ocid is compiled into one notice with `ocdsmerge`, using the release schema from the data
directory so that nothing is fetched over the network.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ocdsmerge
from ocdsmerge.exceptions import OCDSMergeError

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import (
    arrangement_from,
    award_supplier,
    finish_notice,
    join_address,
    lenient_postcode,
    normalise_ocid,
    source_of_ocid,
    valid_cpv_codes,
)
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    SourceLike,
    json_problem,
    load_json,
    open_source,
    parse_amount,
    parse_bool,
    parse_date,
    tidy,
    unreadable,
)
from coopmatch.imports.records import (
    AwardRecord,
    BuyerRecord,
    LotRecord,
    NoticeRecord,
    RowError,
)

SCHEMA_FILE = Path("procurement-data") / "reference" / "ocds_1.1.4_release_schema.json"

# The merge rules ocdsmerge derives from the OCDS 1.1.4 release schema, for when the schema
# file is not at hand: without them ocdsmerge would download the schema.
FALLBACK_MERGE_RULES = {
    ("date",): "omitWhenMerged",
    ("id",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    **{
        path: "wholeListMerge"
        for path in [
            ("awards", "amendment", "changes"),
            ("awards", "amendments", "changes"),
            ("awards", "items", "additionalClassifications"),
            ("awards", "suppliers", "additionalIdentifiers"),
            ("buyer", "additionalIdentifiers"),
            ("contracts", "amendment", "changes"),
            ("contracts", "amendments", "changes"),
            ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"),
            ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"),
            ("contracts", "items", "additionalClassifications"),
            ("contracts", "relatedProcesses", "relationship"),
            ("parties", "additionalIdentifiers"),
            ("parties", "roles"),
            ("relatedProcesses", "relationship"),
            ("tender", "additionalProcurementCategories"),
            ("tender", "amendment", "changes"),
            ("tender", "amendments", "changes"),
            ("tender", "items", "additionalClassifications"),
            ("tender", "procuringEntity", "additionalIdentifiers"),
            ("tender", "submissionMethod"),
            ("tender", "tenderers", "additionalIdentifiers"),
        ]
    },
}

NOT_OCDS = "this file is JSON but not OCDS: it has no releases or records"
_NOTICE_DOCUMENTS = ("tenderNotice", "awardNotice", "contractNotice", "plannedProcurementNotice")
_SME_SCALES = {"sme", "micro", "small", "medium"}


# --- safe access to loosely-typed JSON -------------------------------------------------------


def _obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def _objs(value) -> list[dict]:
    if isinstance(value, dict):
        # OCDS extensions use both `deliveryAddress` and `deliveryAddresses`.
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


# --- the merger -------------------------------------------------------------------------------


def schema_path_for(data_dir: str | Path | None) -> Path | None:
    """Return the OCDS release schema inside a data directory, if it is there."""
    if not data_dir:
        return None
    path = Path(data_dir) / SCHEMA_FILE
    return path if path.is_file() else None


@lru_cache(maxsize=4)
def get_merger(schema_path: str | None) -> ocdsmerge.Merger:
    """Return a Merger built from a local release schema, or from the fallback rules."""
    if schema_path and Path(schema_path).is_file():
        with open(schema_path, encoding="utf-8") as handle:
            return ocdsmerge.Merger(schema=json.load(handle))
    return ocdsmerge.Merger(merge_rules=FALLBACK_MERGE_RULES)


# --- collecting releases by ocid ----------------------------------------------------------------


@dataclass
class _Tender:
    ocid: str
    line: int
    releases: dict[str, dict] = field(default_factory=dict)
    compiled: dict | None = None
    dates: list[str] = field(default_factory=list)
    published: str | None = None  # the package's publishedDate


def _is_record(obj: dict) -> bool:
    return (
        "compiledRelease" in obj
        or "versionedRelease" in obj
        or (isinstance(obj.get("releases"), list) and "id" not in obj and "tender" not in obj)
    )


def _is_full_release(obj: dict) -> bool:
    # A record's `releases` may be linked releases ({url, date, tag}) rather than releases.
    return any(k in obj for k in ("tender", "awards", "buyer", "parties", "planning", "contracts"))


class OCDSCollector:
    """Gather releases and records from any OCDS shape, grouped by ocid in first-seen order."""

    def __init__(self) -> None:
        self.tenders: dict[str, _Tender] = {}
        self.count = 0

    def add(self, obj, line: int | None = None, published: str | None = None,
            depth: int = 0) -> list[RowError]:
        """Add one parsed JSON document (any shape); return what could not be used. Lists go
        two deep at most (a list of packages' release lists), so no list nests past that."""
        if isinstance(obj, list) and depth < 2:
            errors: list[RowError] = []
            for item in obj:
                if isinstance(item, dict | list):
                    errors += self.add(item, line, published, depth + 1)
                else:  # counted as a release, so that each is named by its place in the list
                    self.count += 1
                    errors.append(RowError(
                        line or self.count, "release",
                        f"a release or record must be a JSON object, not {json.dumps(item)[:40]}"))
            return errors
        if not isinstance(obj, dict):
            return [RowError(line or self.count + 1, "file", NOT_OCDS)]
        wrapped = [
            entry
            for key in ("record_packages", "release_packages")
            for entry in obj.get(key) or []
            if isinstance(entry, dict) and "data" in entry
        ]
        if wrapped:
            errors = []
            for entry in wrapped:
                errors += self.add(entry["data"], line, published)
            return errors
        if "ocid" in obj or _is_full_release(obj):
            if _is_record(obj):
                return self._add_record(obj, line, published)
            return self._add_release(obj, line, published)
        published = _text(obj.get("publishedDate")) or published
        if isinstance(obj.get("records"), list):
            errors = []
            for record in obj["records"]:
                errors += self._add_record(record, line, published)
            return errors
        if isinstance(obj.get("releases"), list):
            errors = []
            for release in obj["releases"]:
                errors += self._add_release(release, line, published)
            return errors
        return [RowError(line or self.count + 1, "file", NOT_OCDS)]

    def _start(self, obj, line: int | None, kind: str) -> tuple[int, str | RowError]:
        self.count += 1
        where = line or self.count
        if not isinstance(obj, dict):
            return where, RowError(where, kind, f"a {kind} must be a JSON object")
        ocid = _text(obj.get("ocid"))
        if not ocid:
            title = _text(_obj(obj.get("tender")).get("title")) or _text(obj.get("id"))
            named = f" ('{title[:60]}')" if title else ""
            reason = f"this {kind}{named} has no ocid, so it cannot be matched to a tender"
            return where, RowError(where, "ocid", reason)
        return where, normalise_ocid(ocid)

    def _tender(self, ocid: str, line: int, published: str | None) -> _Tender:
        tender = self.tenders.get(ocid)
        if tender is None:
            tender = self.tenders[ocid] = _Tender(ocid, line, published=published)
        return tender

    def _add_release(self, release, line, published) -> list[RowError]:
        where, ocid = self._start(release, line, "release")
        if isinstance(ocid, RowError):
            return [ocid]
        tender = self._tender(ocid, where, published)
        key = _text(release.get("id")) or f"#{self.count}"
        tender.releases.setdefault(key, {**release, "ocid": ocid})
        if _text(release.get("date")):
            tender.dates.append(_text(release["date"]))
        return []

    def _add_record(self, record, line, published) -> list[RowError]:
        where, ocid = self._start(record, line, "record")
        if isinstance(ocid, RowError):
            return [ocid]
        compiled = _obj(record.get("compiledRelease"))
        full = [r for r in _objs(record.get("releases")) if _is_full_release(r)]
        if compiled or full:
            tender = self._tender(ocid, where, published)
            tender.dates += [_text(r.get("date")) for r in _objs(record.get("releases"))]
        if compiled:
            tender.compiled = {**compiled, "ocid": ocid}
            return []
        if full:
            for release in full:
                key = _text(release.get("id")) or f"#{self.count}-{len(tender.releases)}"
                tender.releases.setdefault(key, {**release, "ocid": ocid})
            return []
        return [
            RowError(
                where,
                "compiledRelease",
                f"the record for {ocid} has no compiledRelease and its releases are only links, "
                "so its tender cannot be read",
            )
        ]

    def compiled(self, tender: _Tender, merger: ocdsmerge.Merger) -> dict | RowError:
        """Return one compiled release for an ocid: the record's own, or merged releases."""
        releases = list(tender.releases.values())
        if tender.compiled is not None:
            if not releases:
                return tender.compiled
            releases = [tender.compiled, *releases]
        if len(releases) == 1:
            return releases[0]
        # ocdsmerge sorts by date and needs one on every release.
        dated = [{**r, "date": _text(r.get("date"))} for r in releases]
        try:
            with warnings.catch_warnings():
                # Duplicate ids inside arrays are common in CF data and are merged as OCDS says.
                warnings.simplefilter("ignore")
                return merger.create_compiled_release(dated)
        except (OCDSMergeError, TypeError, KeyError) as error:
            return RowError(
                tender.line,
                "releases",
                f"the {len(releases)} releases of {tender.ocid} could not be combined ({error})",
            )

    def notices(
        self, *, cpv: CPVVocabulary, merger: ocdsmerge.Merger, progress=None
    ) -> Iterator[NoticeRecord | RowError]:
        """Compile each ocid's releases and yield its notice (or why it was rejected)."""
        total = len(self.tenders) or 1
        for index, tender in enumerate(self.tenders.values()):
            if progress:
                progress(index / total)
            release = self.compiled(tender, merger)
            if isinstance(release, RowError):
                yield release
                continue
            dates = sorted(d for d in tender.dates if d) or [
                d for d in (_text(release.get("date")), tender.published) if d
            ]
            yield release_to_notice(
                release, cpv=cpv, line=tender.line, published=dates[0] if dates else None
            )


# --- reading a file -------------------------------------------------------------------------------


def _json_error(error: json.JSONDecodeError, text: str, line: int | None = None) -> RowError:
    return RowError(line or error.lineno, "file" if line is None else "json",
                    json_problem(error, text))


def _documents(text: str) -> Iterator[tuple[object, int | None] | RowError]:
    """Yield (document, line) pairs: one for a JSON file, one per line for JSON Lines."""
    stripped = text.strip()
    if not stripped:
        yield RowError(0, "file", "this file is empty")
        return
    if stripped[0] not in "[{":
        yield RowError(1, "file", "this file is not JSON: OCDS files start with { or [")
        return
    try:
        yield load_json(stripped), None
        return
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            yield _json_error(error, stripped)
            return
    # Several documents: JSON Lines, one package or release a line.
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield load_json(line), number
        except json.JSONDecodeError as error:
            yield _json_error(error, line, number)


def parse(
    source: SourceLike,
    *,
    cpv: CPVVocabulary,
    data_dir: str | Path | None = None,
    schema_path: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[NoticeRecord | RowError]:
    """Parse an OCDS file (JSON or JSON Lines, gzipped or not) into one notice per ocid."""
    src = open_source(source, max_bytes=max_bytes)
    collector = OCDSCollector()
    for item in _documents(src.text):
        if isinstance(item, RowError):
            yield item
            continue
        document, line = item
        yield from collector.add(document, line)
    src.progress = 0.5
    merger = get_merger(str(schema_path or schema_path_for(data_dir) or ""))

    def progress(fraction: float) -> None:
        src.progress = 0.5 + fraction / 2

    yield from collector.notices(cpv=cpv, merger=merger, progress=progress)
    src.progress = 1.0


# --- one compiled release into a notice -----------------------------------------------------------


def _party_index(release: dict) -> dict[str, dict]:
    return {_text(p.get("id")): p for p in _objs(release.get("parties")) if _text(p.get("id"))}


def _address_postcode(address: dict) -> str | None:
    return lenient_postcode(
        _text(address.get("postalCode")),
        " ".join(
            _text(address.get(k)) for k in ("streetAddress", "locality", "region", "postalCode")
        ),
    )


def _buyer(release: dict, parties: dict[str, dict]) -> BuyerRecord | None:
    reference = _obj(release.get("buyer"))
    party = parties.get(_text(reference.get("id"))) or next(
        (p for p in _objs(release.get("parties")) if "buyer" in (p.get("roles") or [])), {}
    )
    name = tidy(party.get("name")) or tidy(reference.get("name"))
    identifier = _obj(party.get("identifier")) or _obj(reference.get("identifier"))
    name = name or tidy(identifier.get("legalName"))
    if not name:
        return None
    scheme, number = _text(identifier.get("scheme")), _text(identifier.get("id"))
    external_id = _text(party.get("id")) or _text(reference.get("id"))
    external_id = external_id or (f"{scheme}-{number}" if scheme and number else None)
    address = _obj(party.get("address")) or _obj(reference.get("address"))
    return BuyerRecord(name=name, postcode=_address_postcode(address), external_id=external_id)


def _classifications(item: dict) -> list[dict]:
    return [_obj(item.get("classification")), *_objs(item.get("additionalClassifications"))]


def _cpv_ids(classifications: Iterable[dict]) -> list[str]:
    return [
        _text(c.get("id"))
        for c in classifications
        if c and _text(c.get("scheme")).upper() in {"CPV", ""} and _text(c.get("id"))
    ]


def _value(holder: dict, *keys: str) -> tuple[float | None, str | None]:
    for key in keys:
        value = _obj(holder.get(key))
        amount = parse_amount(value.get("amount"))
        if amount is not None:
            return amount, _text(value.get("currency")).upper()[:3] or None
    return None, None


def _period(*periods) -> tuple:
    for period in periods:
        period = _obj(period)
        start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
        if start or end:
            return start, end
    return None, None


def _milestone_dates(tender: dict) -> tuple:
    # CF in OCDS 1.0 gives the contract dates only as "Contract start"/"Contract end" milestones.
    start = end = None
    for milestone in _objs(tender.get("milestones")):
        title = _text(milestone.get("title")).lower()
        if title == "contract start":
            start = parse_date(milestone.get("dueDate"))
        elif title == "contract end":
            end = parse_date(milestone.get("dueDate"))
    return start, end


def _delivery(items: list[dict]) -> tuple[str | None, str | None]:
    postcodes: list[str] = []
    areas: list[str] = []
    for item in items:
        places = _objs(item.get("deliveryAddresses")) + _objs(item.get("deliveryAddress"))
        for address in places:
            postcode = _address_postcode(address)
            if postcode:
                postcodes.append(postcode)
            for key in ("region", "locality"):
                area = tidy(address.get(key))
                if area and area not in areas:
                    areas.append(area)
        for location in _objs(item.get("deliveryLocation")) + _objs(item.get("deliveryLocations")):
            postcode = lenient_postcode(None, _text(location.get("description")))
            if postcode:
                postcodes.append(postcode)
    return (postcodes[0] if postcodes else None), ("; ".join(areas) or None)


def _status(tender: dict, tags: list[str], has_awards: bool) -> str:
    status = _text(tender.get("status")).lower()
    if has_awards:
        return "awarded"
    if status in {"cancelled", "unsuccessful", "withdrawn"} or "tenderCancellation" in tags:
        return "cancelled"
    if status in {"planning", "planned"}:
        return "planned"
    if status == "complete":
        return "closed"
    if status == "active":
        return "open"
    if "planning" in tags or "planningUpdate" in tags:
        return "planned"
    return "open"


def _notice_url(release: dict, tender: dict) -> str | None:
    planning = _obj(release.get("planning"))
    documents = _objs(tender.get("documents")) + _objs(planning.get("documents"))
    for award in _objs(release.get("awards")):
        documents += _objs(award.get("documents"))
    for document in documents:
        if document.get("documentType") in _NOTICE_DOCUMENTS and _text(document.get("url")):
            return _text(document["url"])
    return None


def _is_sme(*holders: dict) -> bool | None:
    for holder in holders:
        details = _obj(holder.get("details"))
        scale = _text(details.get("scale")).lower()
        if scale:
            return scale in _SME_SCALES
        for flag in (holder.get("sme"), details.get("sme")):
            if parse_bool(flag) is not None:
                return parse_bool(flag)
    return None


def _company_number(*holders: dict) -> str | None:
    for holder in holders:
        identifiers = [_obj(holder.get("identifier")), *_objs(holder.get("additionalIdentifiers"))]
        for identifier in identifiers:
            if _text(identifier.get("scheme")).upper() == "GB-COH" and _text(identifier.get("id")):
                return _text(identifier["id"])
        party_id = _text(holder.get("id"))
        if party_id.upper().startswith("GB-COH-"):
            return party_id[7:]
    return None


def _awards(release: dict, parties: dict[str, dict], line: int) -> list[AwardRecord]:
    awards: list[AwardRecord] = []
    for award in _objs(release.get("awards")):
        if _text(award.get("status")).lower() in {"cancelled", "unsuccessful"}:
            continue
        value, currency = _value(award, "value")
        lots = award.get("relatedLots") or []
        award_id = _text(award.get("id")) or None
        seen: set[str] = set()
        for reference in _objs(award.get("suppliers")):
            party = parties.get(_text(reference.get("id")), {})
            # OCDS 1.1 refers to a party; 1.0 gives the supplier inline. Use whichever has more.
            name = tidy(party.get("name")) or tidy(reference.get("name"))
            if not name or name.lower() in seen:
                continue
            seen.add(name.lower())
            address = _obj(party.get("address")) or _obj(reference.get("address"))
            party_id = _text(party.get("id")) or _text(reference.get("id"))
            supplier = award_supplier(
                name,
                address=join_address(
                    *(address.get(k) for k in ("streetAddress", "locality", "region")),
                    address.get("postalCode"),
                ),
                postcode=_address_postcode(address),
                registration_number=_company_number(party, reference),
                is_sme=_is_sme(party, reference),
                external_id=party_id if re.match(r"^[A-Z]{2}-[A-Za-z]+-.+", party_id) else None,
                website=_text(_obj(party.get("details")).get("url")) or None,
                line=line,
            )
            awards.append(
                AwardRecord(
                    supplier=supplier,
                    value=value,
                    currency=currency or "GBP",
                    award_date=parse_date(award.get("date") or award.get("datePublished")),
                    lot_external_id=_text(lots[0]) if isinstance(lots, list) and lots else None,
                    external_id=award_id,
                )
            )
    return awards


def _lots(tender: dict, items: list[dict], cpv: CPVVocabulary) -> list[LotRecord]:
    lots = []
    for lot in _objs(tender.get("lots")):
        lot_id = _text(lot.get("id"))
        codes = [
            code
            for item in items
            if _text(item.get("relatedLot")) == lot_id
            for code in _cpv_ids(_classifications(item))
        ]
        lots.append(
            LotRecord(
                external_id=lot_id or None,
                title=tidy(lot.get("title")),
                description=tidy(lot.get("description")),
                value=_value(lot, "value", "maxValue")[0],
                cpv_codes=valid_cpv_codes(cpv, codes),
            )
        )
    return lots


_PERIODS = ("startDate", "endDate")


def _dates_and_amounts(release: dict) -> Iterator[tuple[str, str, object]]:
    """The dates and money amounts a notice is built from, as (OCDS path, "date" or "amount",
    value), where they are given."""
    tender = _obj(release.get("tender"))
    yield "date", "date", release.get("date")
    for key in ("tenderPeriod", "contractPeriod"):
        for end in _PERIODS:
            yield f"tender.{key}.{end}", "date", _obj(tender.get(key)).get(end)
    for key in ("value", "maxValue", "minValue"):
        yield f"tender.{key}.amount", "amount", _obj(tender.get(key)).get("amount")
    for i, lot in enumerate(_objs(tender.get("lots"))):
        for key in ("value", "maxValue"):
            yield f"tender.lots[{i}].{key}.amount", "amount", _obj(lot.get(key)).get("amount")
        for end in _PERIODS:
            yield (f"tender.lots[{i}].contractPeriod.{end}", "date",
                   _obj(lot.get("contractPeriod")).get(end))
    for i, award in enumerate(_objs(release.get("awards"))):
        yield f"awards[{i}].date", "date", award.get("date")
        yield f"awards[{i}].value.amount", "amount", _obj(award.get("value")).get("amount")
        for end in _PERIODS:
            yield (f"awards[{i}].contractPeriod.{end}", "date",
                   _obj(award.get("contractPeriod")).get(end))
    for i, contract in enumerate(_objs(release.get("contracts"))):
        for end in _PERIODS:
            yield (f"contracts[{i}].period.{end}", "date", _obj(contract.get("period")).get(end))


_HOW = {"date": "OCDS dates are ISO 8601, like 2025-01-31T12:00:00Z",
        "amount": "OCDS gives amounts as numbers, like 125000"}


def unreadable_value(release: dict, ocid: str, line: int) -> RowError | None:
    """A row error for the first date or amount given that cannot be read ("next Tuesday",
    "2025-13-45", "lots"): the notice is refused naming the field, rather than imported
    without its deadline or value. Blank ones are only not known."""
    for path, kind, value in _dates_and_amounts(release):
        reason = unreadable(kind, value)
        if reason:
            return RowError(line, path, f"{ocid}: {reason} ({_HOW[kind]})")
    return None


def release_to_notice(
    release: dict, *, cpv: CPVVocabulary, line: int = 0, published: str | None = None
) -> NoticeRecord | RowError:
    """Turn one (compiled) release into a notice; reject it if it has no title or buyer, or
    gives a date or amount that cannot be read."""
    ocid = normalise_ocid(_text(release.get("ocid")))
    tender = _obj(release.get("tender"))
    parties = _party_index(release)
    items = _objs(tender.get("items"))
    lots = _objs(tender.get("lots"))
    awards = _awards(release, parties, line)
    description = tidy(tender.get("description")) or tidy(release.get("description"))
    title = (
        tidy(tender.get("title"))
        or tidy(release.get("title"))
        or next((tidy(lot.get("title")) for lot in lots if tidy(lot.get("title"))), "")
        or next((tidy(a.get("title")) for a in _objs(release.get("awards")) if a.get("title")), "")
        or description[:120]
    )
    if not title:
        return RowError(line, "tender.title", f"{ocid} has no tender title or description")
    buyer = _buyer(release, parties)
    if buyer is None:
        return RowError(
            line,
            "buyer",
            f"{ocid} names no buyer (no buyer and no party with the role 'buyer')",
        )
    problem = unreadable_value(release, ocid, line)
    if problem is not None:
        return problem
    award_items = [i for a in _objs(release.get("awards")) for i in _objs(a.get("items"))]
    codes = _cpv_ids([_obj(tender.get("classification"))])
    codes += [code for item in items + award_items for code in _cpv_ids(_classifications(item))]
    value, currency = _value(tender, "value", "maxValue", "minValue")
    tags = [t for t in release.get("tag") or [] if isinstance(t, str)]
    contracts = _objs(release.get("contracts"))
    start, end = _period(
        tender.get("contractPeriod"),
        *(lot.get("contractPeriod") for lot in lots),
        *(a.get("contractPeriod") for a in _objs(release.get("awards"))),
        *(c.get("period") for c in contracts),
    )
    if not (start or end):
        start, end = _milestone_dates(tender)
    postcode, area = _delivery(items)
    return finish_notice(
        NoticeRecord(
            ocid=ocid,
            title=title,
            buyer=buyer,
            line=line,
            description=description,
            cpv_codes=valid_cpv_codes(cpv, codes),
            value=value,
            currency=currency or "GBP",
            status=_status(tender, tags, bool(awards)),
            published_date=parse_date(published or release.get("date")),
            deadline=parse_date(_obj(tender.get("tenderPeriod")).get("endDate")),
            delivery_postcode=postcode,
            delivery_area=area,
            contract_start=start,
            contract_end=end,
            arrangement=arrangement_from(
                _text(tender.get("procurementMethodDetails")),
                has_framework=_obj(tender.get("techniques")).get("hasFramework"),
                has_dps=_obj(tender.get("techniques")).get("hasDynamicPurchasingSystem"),
            ),
            notice_url=_notice_url(release, tender),
            source=source_of_ocid(ocid),
            lots=_lots(tender, items, cpv),
            awards=awards,
        )
    )
