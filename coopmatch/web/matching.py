"""The matching settings of the running app, for views, API and CLI."""

from flask import current_app

from coopmatch.models import OWNERSHIP_MODELS
from coopmatch.services import matching
from coopmatch.services.matching import MatchSettings


def match_settings() -> MatchSettings:
    config = current_app.config
    return MatchSettings(index_dir=config["INDEX_DIR"], weights=dict(config["MATCH_WEIGHTS"]),
                         database_url=config["DATABASE_URL"])


def search_from_args(args) -> matching.Search:
    """Read a match search from query arguments (shared by the API and the tender page)."""
    ownership = {o for o in args.getlist("ownership") if o in OWNERSHIP_MODELS}
    return matching.Search(
        top_k=max(1, min(args.get("top", 10, type=int), 100)),
        local_only=args.get("local_only") in {"1", "true", "y", "on"},
        area=(args.get("area") or "").strip().upper() or None,
        radius_km=args.get("radius_km", type=float),
        ownership=ownership or None,
        prefer_social=args.get("prefer_social") in {"1", "true", "y", "on"},
    )
