"""Give records a location from their postcode, with the reference data if it is there."""

from functools import lru_cache

from sqlalchemy import or_, update
from sqlmodel import Session, select

from coopmatch.errors import CoopmatchError
from coopmatch.geo import GeoReference, Place, normalise_postcode
from coopmatch.models import Organisation, Supplier, Tender, utcnow
from coopmatch.names import buyer_key, is_public_body_name


def locate(geo: GeoReference, postcode: str | None, *, field: str = "postcode") -> Place | None:
    """Return the place of a postcode (None when blank); raise InvalidPostcode for a bad one."""
    if not postcode or not postcode.strip():
        return None
    return geo.lookup(normalise_postcode(postcode, field=field))


@lru_cache(maxsize=4)
def name_places(geo: GeoReference):
    """Return a test of the place words a normalised name holds ("bedfordshire" of "police
    and crime commissioner for bedfordshire"), which tells apart two bodies or branches whose
    names differ only there (`duplicates.different_places`). Built once per reference."""
    words = geo.place_words()

    def places(name: str) -> set[str]:
        return set(name.split()) & words.in_text(name)  # not a copy of every place word

    return places


# What a place sets on a supplier, tender or buyer (`apply_place`).
PLACE_FIELDS = ("postcode", "latitude", "longitude", "local_authority_code", "county_code",
                "region_code")


def apply_place(record, place: Place | None, *, postcode_attr: str = "postcode") -> None:
    """Copy a place's postcode, coordinates and area codes onto a supplier, tender or buyer."""
    setattr(record, postcode_attr, (place.postcode or None) if place else None)
    record.latitude = place.latitude if place else None
    record.longitude = place.longitude if place else None
    record.local_authority_code = place.lad_code if place else None
    record.county_code = place.county_code if place else None
    record.region_code = place.region_code if place else None


def is_council_name(geo: GeoReference, name: str) -> bool:
    """Whether a name is a council's that its name places: "SOUTH RIBBLE BOROUGH COUNCIL",
    "St Helens Council", "Altham Parish Council"; not "Council for Voluntary Service Preston"
    or "Bolton & District Hospital Saturday Council" (charities placed by their names too).
    A police force, fire service or NHS body named by its area counts as one ("West Yorkshire
    Police", "Merseyside Fire & Rescue Authority", "NHS Salford CCG":
    `GeoReference.place_of_service`)."""
    if geo.place_of_service(name) is not None:
        return True
    place = geo.place_of_buyer(name)
    if place is None:
        return False
    return is_public_body_name(name) or buyer_key(name) in {
        buyer_key(area) for area in (place.lad_name, place.county_name) if area}


def place_councils(session: Session, geo: GeoReference) -> int:
    """Place the suppliers that are councils (or police forces, fire services or NHS bodies)
    and have no location (award notices' winners, imported before councils were placed by
    name) at the centre of the area their name names, as a buyer without a postcode is;
    return how many were placed. They are stamped as updated, so the matching index picks the
    change up."""
    if not geo.available:
        return 0
    placed = 0
    # Only names place_of_buyer reads as a council's: this runs on every `db upgrade`.
    council_words = or_(*(Supplier.name.ilike(f"%{word}%")
                          for word in ("council", "borough", "combined authority", "police",
                                       "policing", "constabulary", "fire", "nhs")))
    for supplier in session.exec(select(Supplier).where(
            Supplier.postcode.is_(None), Supplier.local_authority_code.is_(None),
            Supplier.county_code.is_(None), Supplier.latitude.is_(None), council_words)):
        place = geo.place_of_buyer(supplier.name)
        if place is not None:
            apply_place(supplier, place)
            supplier.updated_at = utcnow()
            placed += 1
    session.commit()
    return placed


def area_lad_codes(geo: GeoReference, text: str, *, field: str = "area") -> set[str]:
    """Return the local authority codes of the area a person names (`GeoReference.areas_named`:
    a GSS code or a name, in any case), or refuse an area there is none of, naming `field`.

    Without the reference data an area cannot be checked: the text is taken as a code."""
    text = (text or "").strip()
    if not geo.available:
        return {text.upper()}
    areas = geo.areas_named(text)
    if not areas:
        raise CoopmatchError(unknown_area_message(geo, text), field=field)
    return set().union(*(a.lad_codes for a in areas))


def unknown_area_message(geo: GeoReference, text: str, *, kind: str | None = None,
                         what: str = "area", example: str = "Lancashire or E10000017") -> str:
    """Say that no area (of `kind`) is called `text`, with the name that was probably meant."""
    meant = geo.closest_area_name(text, kind)
    if meant:
        return f"No {what} is called '{text}'. Did you mean {meant}?"
    return f"No {what} is called '{text}': give its name or code, like {example}."


def refresh_areas(session: Session, geo: GeoReference) -> int:
    """Bring stored county-tier and region codes up to date with the reference data (a
    combined authority set up since a record was placed), and return how many records changed.

    The codes are worked out from each record's local authority (or, for a county council
    placed without one, its county); changed suppliers and tenders are stamped as updated, so
    the matching indexes pick the change up. One transaction; nothing changes without the
    reference data.
    """
    if not geo.available:
        return 0
    changed = 0
    now = utcnow()
    for model in (Organisation, Supplier, Tender):
        stamp = {"updated_at": now} if hasattr(model, "updated_at") else {}
        stored = session.exec(
            select(model.local_authority_code, model.county_code, model.region_code).distinct()
        ).all()
        for lad, county, region in stored:
            if lad:
                if geo.area(lad) is None:
                    continue  # a code the reference data does not know: leave it
                want_county, want_region = geo.wider_area_of(lad)
                where = [model.local_authority_code == lad]
            elif county:
                want_county, want_region = geo.county_tier(county), region
                where = [model.local_authority_code.is_(None), model.county_code == county]
            else:
                continue
            if (want_county, want_region) == (county, region):
                continue
            result = session.execute(
                update(model)
                .where(*where)
                .where(model.county_code.is_not_distinct_from(county))
                .where(model.region_code.is_not_distinct_from(region))
                .values(county_code=want_county, region_code=want_region, **stamp)
            )
            changed += result.rowcount
    session.commit()
    return changed
