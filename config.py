"""Configuration classes; secrets and addresses come only from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COOPMATCH_INSTANCE_DIR", BASE_DIR / "instance"))


def _default_data_dir() -> str:
    """Return ../shared beside the checkout when it exists (the open reference data)."""
    candidate = BASE_DIR.parent / "shared"
    return str(candidate) if candidate.is_dir() else ""


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'coopmatch.db'}")
    COOPMATCH_DATA_DIR = os.environ.get("COOPMATCH_DATA_DIR", _default_data_dir())
    CACHE_DIR = os.environ.get("COOPMATCH_CACHE_DIR", str(INSTANCE_DIR / "cache"))
    # The fitted matching indexes, one folder per database.
    INDEX_DIR = os.environ.get("COOPMATCH_INDEX_DIR", str(INSTANCE_DIR / "index"))
    REDIS_URL = os.environ.get("REDIS_URL", "")
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PAGE_SIZE = 25
    UPLOAD_DIR = os.environ.get("COOPMATCH_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    OCDS_PUBLISHER = os.environ.get("COOPMATCH_OCDS_PUBLISHER", "coopmatch")
    # Register a prefix with the Open Contracting Partnership before publishing for real.
    OCDS_PREFIX = os.environ.get("COOPMATCH_OCDS_PREFIX", "ocds-coopmatch")
    # Imports larger than this are refused outright; above the background threshold they
    # run as a job with progress rather than inside the request.
    IMPORT_MAX_BYTES = int(os.environ.get("COOPMATCH_IMPORT_MAX_BYTES", 200 * 1024 * 1024))
    IMPORT_BACKGROUND_BYTES = int(os.environ.get("COOPMATCH_IMPORT_BACKGROUND_BYTES", 256 * 1024))
    MAX_CONTENT_LENGTH = IMPORT_MAX_BYTES + 1024 * 1024
    # Matching weights: each signal is scaled to 0..1 and the score is their weighted mean.
    # These are the engine's defaults, chosen on bench/match_quality.py (seeds 0-4).
    MATCH_WEIGHTS = {
        "text": 0.18,
        "keywords": 0.4,
        "cpv": 0.15,
        "geography": 0.1,
        "capacity": 0.08,
        "track_record": 0.25,
        "ownership": 0.1,
        "association": 0.35,
    }
    # Gap reports: demand is met locally when a local supplier's capability (the text, CPV and
    # similar-work part of its match score) reaches this. 0.40 is the engine's own "capable"
    # level; in bench/match_quality.py about six in ten real winners clear it (63% over seeds
    # 0-19; 25th percentile 0.31, 10th 0.18), while on the Lancashire demo lower values let
    # loosely related local firms count as able to do the work.
    GAP_THRESHOLD = float(os.environ.get("COOPMATCH_GAP_THRESHOLD", 0.40))
    GAP_NEAR_MISS_MARGIN = 0.08
    # The gap report's area when none is asked for and the user's organisation has no place:
    # a GSS code (the demo's, Lancashire's combined county authority, by default).
    GAP_DEFAULT_AREA = os.environ.get("COOPMATCH_GAP_DEFAULT_AREA", "E47000018")
    # A contract's length when neither it nor its sector's other notices give dates: three
    # years, the usual term of a council services contract before extensions. (One year would
    # make a £140m multi-year bus contract £140m of demand every year.)
    GAP_DEFAULT_CONTRACT_YEARS = 3.0
    GAP_NEW_COOP_MIN_GBP_A_YEAR = 100_000.0


class Development(Config):
    DEBUG = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")


class Test(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    # Outside services point at addresses that fail loudly unless a test sets them.
    REDIS_URL = ""
    SERVER_NAME = None


class Production(Config):
    SESSION_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the secrets production needs."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("Set SECRET_KEY in the environment to run in production.")


configs = {
    "development": Development,
    "test": Test,
    "production": Production,
}
