"""The open reference data an app uses (geography, CPV, SIC), loaded lazily on first use."""

from dataclasses import dataclass

from flask import Flask, current_app

from coopmatch.cpv import CPVVocabulary, load_vocabulary
from coopmatch.geo import GeoReference, load_reference
from coopmatch.sic import SICVocabulary, load_sic


@dataclass(frozen=True)
class Reference:
    geo: GeoReference
    cpv: CPVVocabulary
    sic: SICVocabulary
    data_dir: str | None = None

    @classmethod
    def from_settings(cls, data_dir: str | None, cache_dir: str | None) -> "Reference":
        return cls(geo=load_reference(data_dir, cache_dir), cpv=load_vocabulary(data_dir),
                   data_dir=data_dir, sic=load_sic(data_dir))


def init_app(app: Flask) -> None:
    app.extensions["coopmatch.reference"] = Reference.from_settings(
        app.config.get("COOPMATCH_DATA_DIR") or None, app.config.get("CACHE_DIR")
    )


def current() -> Reference:
    """Return the reference data of the running app."""
    return current_app.extensions["coopmatch.reference"]
