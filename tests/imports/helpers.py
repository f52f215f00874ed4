"""Helpers for the import parser tests."""

from pathlib import Path

from coopmatch.imports.records import NoticeRecord, RowError, SupplierRecord

FIXTURES = Path(__file__).parent / "fixtures"


def notices(items) -> list[NoticeRecord]:
    return [i for i in items if isinstance(i, NoticeRecord)]


def suppliers(items) -> list[SupplierRecord]:
    return [i for i in items if isinstance(i, SupplierRecord)]


def errors(items) -> list[RowError]:
    return [i for i in items if isinstance(i, RowError)]


def by_ocid(items) -> dict[str, NoticeRecord]:
    return {n.ocid: n for n in notices(items)}
