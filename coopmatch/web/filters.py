"""Template filters and globals: money, dates, labels from the vocabularies."""

import re
from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from coopmatch import models
from coopmatch.reference import current as current_reference
from coopmatch.services import permissions
from coopmatch.services.audit import counted


def money(value: float | None, currency: str = "GBP") -> str:
    if value is None:
        return "Not stated"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, f"{currency} ")
    if abs(value) >= 1_000_000:
        return f"{symbol}{value / 1_000_000:,.1f}m"
    return f"{symbol}{value:,.0f}"


def long_date(value: date | datetime | None) -> str:
    if not value:
        return ""
    return f"{value.day} {value:%B %Y}"


def spaced_list(value: str | None) -> str:
    """Return "North East,North West" as "North East, North West" (Contracts Finder's lists)."""
    return re.sub(r",(?=\S)", ", ", value or "")


def delivery(tender) -> str:
    """Where a tender's work is, as its page says it: "PR1 2HE (Preston)"; "Matched as in
    Preston (no postcode given)" where only the area the buyer was placed in is known; "Not
    stated" where nothing is."""
    code = tender.local_authority_code
    area = (current_reference().geo.area_name(code) or code) if code else ""
    listed = spaced_list(tender.delivery_area)
    if tender.delivery_postcode:
        said = " ".join(part for part in (tender.delivery_postcode, listed) if part)
        return f"{said} ({area})" if area else said
    if not area:
        return listed or "Not stated"
    matched = f"as in {area} (no postcode given)"
    return f"{listed}; matched {matched}" if listed else f"Matched {matched}"


def ordinal(value: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def field_attrs(field, hint: str | None = None) -> dict:
    """Return aria-describedby for a field's hint, error message and character count, as
    the pattern asks, and the count's limit for the script that keeps it."""
    ids, attrs = [], {}
    if hint:
        ids.append(f"{field.id}-hint")
    if field.errors:
        ids.append(f"{field.id}-error")
    if getattr(field.flags, "character_limit", None):
        ids.append(f"{field.id}-count")
        attrs["data-character-limit"] = field.flags.character_limit
    return attrs | ({"aria-describedby": " ".join(ids)} if ids else {})


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(long_date)
    app.add_template_filter(spaced_list)
    app.add_template_filter(delivery)
    app.add_template_filter(ordinal)
    app.add_template_filter(counted)
    app.add_template_global(field_attrs, "_attrs")

    @app.context_processor
    def vocabularies():
        return {
            "ORGANISATION_KINDS": models.ORGANISATION_KINDS,
            "OWNERSHIP_MODELS": models.OWNERSHIP_MODELS,
            "TENDER_STATUSES": models.TENDER_STATUSES,
            "ROLES": models.ROLES,
            "TURNOVER_BANDS": models.TURNOVER_BANDS,
            "ACCREDITATIONS": models.ACCREDITATIONS,
            "RECURRENCE": models.RECURRENCE,
            "ARRANGEMENTS": models.ARRANGEMENTS,
            "SUPPLIER_SOURCES": models.SUPPLIER_SOURCES,
            "LEDGER_NAME_STATUSES": models.LEDGER_NAME_STATUSES,
            "reference": current_reference(),
            "can": permissions,
            "me": current_user if current_user.is_authenticated else None,
        }
