"""UK geography: postcodes, areas and distances. Pure code over the ONS / OS reference files."""

from coopmatch.geo.distance import haversine_km, haversine_km_many
from coopmatch.geo.postcodes import find_postcode, normalise_postcode, outward_code
from coopmatch.geo.reference import GeoReference, Place, PlaceWords, load_reference

__all__ = [
    "GeoReference",
    "Place",
    "PlaceWords",
    "find_postcode",
    "haversine_km",
    "haversine_km_many",
    "load_reference",
    "normalise_postcode",
    "outward_code",
]
