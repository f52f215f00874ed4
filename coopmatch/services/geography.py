"""Give records a location from their postcode, with the reference data if it is there."""

from coopmatch.geo import GeoReference, Place, normalise_postcode


def locate(geo: GeoReference, postcode: str | None, *, field: str = "postcode") -> Place | None:
    """Return the place of a postcode (None when blank); raise InvalidPostcode for a bad one."""
    if not postcode or not postcode.strip():
        return None
    return geo.lookup(normalise_postcode(postcode, field=field))


def apply_place(record, place: Place | None, *, postcode_attr: str = "postcode") -> None:
    """Copy a place's postcode, coordinates and area codes onto a supplier, tender or buyer."""
    setattr(record, postcode_attr, (place.postcode or None) if place else None)
    record.latitude = place.latitude if place else None
    record.longitude = place.longitude if place else None
    record.local_authority_code = place.lad_code if place else None
    record.county_code = place.county_code if place else None
    record.region_code = place.region_code if place else None
