"""UK postcode validation and normalisation."""

import re

from coopmatch.errors import InvalidPostcode

# The official shapes: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA (and GIR 0AA).
_OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]|GIR)"  # noqa: E501
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL = re.compile(rf"^({_OUTWARD})\s*({_INWARD})$")
_OUTWARD_ONLY = re.compile(rf"^({_OUTWARD})$")
_IN_TEXT = re.compile(rf"\b({_OUTWARD})\s?({_INWARD})\b")

EXAMPLE = "PR1 2HE"


def normalise_postcode(text: str | None, *, field: str = "postcode") -> str:
    """Return a full UK postcode in its standard form ("pr12he" -> "PR1 2HE")."""
    cleaned = re.sub(r"\s+", " ", (text or "").strip().upper())
    match = _FULL.match(cleaned)
    if not match:
        if not cleaned:
            raise InvalidPostcode("Enter a postcode.", field=field)
        if _OUTWARD_ONLY.match(cleaned):
            raise InvalidPostcode(
                f"Enter a full UK postcode, like {EXAMPLE}, not just the first half.", field=field
            )
        raise InvalidPostcode(
            f"Enter a full UK postcode, like {EXAMPLE} ('{text}' is not one).", field=field
        )
    return f"{match.group(1)} {match.group(2)}"


def is_postcode(text: str | None) -> bool:
    """Return whether text is a full UK postcode."""
    try:
        normalise_postcode(text)
    except InvalidPostcode:
        return False
    return True


def outward_code(postcode: str) -> str:
    """Return the district (outward code) of a normalised postcode: "PR1 2HE" -> "PR1"."""
    return postcode.split(" ", 1)[0]


def find_postcode(text: str | None) -> str | None:
    """Find the last full UK postcode inside free text such as an address line."""
    if not text:
        return None
    matches = _IN_TEXT.findall(text.upper())
    if not matches:
        return None
    outward, inward = matches[-1]
    return f"{outward} {inward}"
