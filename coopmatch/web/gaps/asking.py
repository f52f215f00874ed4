"""What a gap report page or API call asks for, read from its query arguments once, before
any work, so that a bad field is refused naming it; and the report it asks for."""

import math
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.gaps import ROUTES, GapSettings
from coopmatch.reference import current as reference
from coopmatch.services import gaps
from coopmatch.web.access import signed_in_user
from coopmatch.web.matching import match_settings, public_bodies_arg

SORTS = {"gbp_a_year": "£ a year", "anchors": "Anchors", "notices": "Notices",
         "next_window": "Next re-procurement", "name": "Sector"}


def _date(args, name: str) -> date | None:
    value = (args.get(name) or "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise CoopmatchError(f"Enter the '{name}' date as YYYY-MM-DD, like 2024-04-01 "
                             f"('{value}' is not).", field=name) from None


def _number(args, name: str, what: str, example: str) -> float | None:
    """Read a number of 0 or more as people write it ("£50,000", "15 km"); a field that is
    not one is refused, naming it, rather than quietly left out of the report."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(re.sub(r"[£,\s]", "", text.lower()).removesuffix("km"))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise CoopmatchError(f"Enter {what} as a number of 0 or more, like {example} "
                             f"('{text}' is not).", field=name)
    return value


def default_area() -> str:
    """The report's area when none is asked for: where the user's organisation is (its county
    or combined authority, else its district), else the configured GAP_DEFAULT_AREA."""
    user = signed_in_user()
    organisation = user.organisation if user is not None else None
    if organisation is not None and (organisation.county_code
                                     or organisation.local_authority_code):
        return organisation.county_code or organisation.local_authority_code
    return current_app.config["GAP_DEFAULT_AREA"]


def query_from_args(args) -> gaps.GapQuery:
    """Read the report's area and period from query arguments (pages and API alike)."""
    radius = _number(args, "radius_km", "the distance in km", "15")
    area = (args.get("area") or "").strip() or (None if radius else default_area())
    return gaps.GapQuery(area_code=area, radius_km=radius,
                         postcode=(args.get("postcode") or "").strip() or None,
                         start=_date(args, "from"), end=_date(args, "to"))


def _choice(args, name: str, choices, what: str) -> str | None:
    """Read one of a fixed set of keys; left empty is None, anything else is refused naming
    the field and the keys it may be (an API caller's typo must not quietly change the list)."""
    value = (args.get(name) or "").strip()
    if value and value not in choices:
        raise CoopmatchError(f"Choose {what} from {', '.join(choices)} ('{value}' is not one).",
                             field=name)
    return value or None


def filters_from_args(args) -> dict:
    return {"division": (args.get("division") or "").strip() or None,
            "min_gbp_a_year": _number(args, "min_value", "the least £ a year", "50000"),
            "route": _choice(args, "route", ROUTES, "the route")}


@dataclass(frozen=True)
class GapRequest:
    """What a page or API call asks of the report, read once: which report, and which of its
    gaps to list."""

    query: gaps.GapQuery
    config: GapSettings
    filters: dict
    sort: str = "gbp_a_year"  # one of gaps.SORT_KEYS (the page offers SORTS)


def read_request(args) -> GapRequest:
    """Read every field before any work, so that a bad one is refused naming it."""
    threshold = _number(args, "threshold", "the threshold", "0.4")
    return GapRequest(
        query=query_from_args(args),
        config=gaps.with_choices(gaps.gap_settings(current_app.config), threshold=threshold,
                                 public_bodies=public_bodies_arg(args)),
        filters=filters_from_args(args),
        sort=_choice(args, "sort", gaps.SORT_KEYS, "the sort") or "gbp_a_year",
    )


def run_report(asked: GapRequest):
    return gaps.report(get_session(), query=asked.query, ref=reference(),
                       settings=match_settings(), gap_config=asked.config)


def chosen_gaps(report, asked: GapRequest):
    return gaps.sort_gaps(gaps.filter_gaps(report.gaps, **asked.filters), asked.sort)


def asked_report(args):
    """The report the arguments ask for, and what they ask (a GapRequest)."""
    asked = read_request(args)
    return run_report(asked), asked
