"""The matching settings of the running app, for views, API and CLI."""

import math

from flask import current_app

from coopmatch.errors import CoopmatchError
from coopmatch.services import matching
from coopmatch.services.matching import MatchSettings


def match_settings() -> MatchSettings:
    config = current_app.config
    return MatchSettings(index_dir=config["INDEX_DIR"], weights=dict(config["MATCH_WEIGHTS"]),
                         database_url=config["DATABASE_URL"])


def search_from_args(args) -> matching.Search:
    """Read a match search from query arguments (shared by the API and the tender page).

    A number that is not one is refused, naming the argument; `matching.check_search` checks
    what the values mean. `top` is kept within 1 to 100."""
    return matching.Search(
        top_k=bounded_arg(args, "top", 10, 1, 100),
        local_only=flag_arg(args, "local_only"),
        area=(args.get("area") or "").strip() or None,
        radius_km=number_arg(args, "radius_km", None),
        ownership={o for o in args.getlist("ownership") if o} or None,
        prefer_social=flag_arg(args, "prefer_social"),
        without_public_bodies=flag_arg(args, "without_public_bodies"),
    )


_YES, _NO = {"1", "true", "y", "yes", "on"}, {"", "0", "false", "n", "no", "off"}


def flag_arg(args, name: str) -> bool:
    """A yes-or-no query argument (a checkbox's "on", "1", "true"; off when not given)."""
    raw = (args.get(name) or "").strip().lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise CoopmatchError(f"'{name}' must be 1 or 0 ('{args.get(name)}' is neither).", field=name)


def public_bodies_arg(args) -> bool:
    """Whether public bodies count (in spend figures, or as local supply in a gap report): yes
    unless without_public_bodies is given (see flag_arg)."""
    return not flag_arg(args, "without_public_bodies")


def bounded_arg(args, name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument kept within low..high (`default` when not given)."""
    return max(low, min(int(number_arg(args, name, default)), high))


def number_arg(args, name: str, default):
    """A query argument as a number (a float for radius_km), or `default` when not given."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw) if name == "radius_km" else int(raw)
    except ValueError:
        kind = "a number" if name == "radius_km" else "a whole number"
        raise CoopmatchError(f"'{name}' must be {kind} ('{raw}' is not).", field=name) from None
    if not math.isfinite(value):
        raise CoopmatchError(f"'{name}' must be a finite number.", field=name)
    return value
