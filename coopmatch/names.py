"""Organisation names in a comparable form: how imports and ledgers recognise a supplier again."""

import html
import re
import unicodedata

# Legal-form words that do not tell two organisations apart.
_SUFFIXES = (
    r"limited|ltd|plc|llp|lp|llc|inc|incorporated|cic|community interest company|company|co|the"
)
_SUFFIX_RE = re.compile(rf"\b(?:{_SUFFIXES})\b")
# "A Ltd t/a B" (after a word: "TA Browne Contract Services" is a name, not a trading name).
_TRADING_AS = re.compile(r"(?<=\w)\W+(?:t/as?|ta|trading as|t\.a\.)(?=\W|$)")
_LEADING_TRADING_AS = re.compile(r"^\W*t/as?\s+(?=\w)")
# A registered company's name ends at its legal form. What ledgers and notices write after it
# is a note about the account, not part of the name: a site or branch ("Water Plus Ltd -
# 6000325944 - Car Park, Union Rd", "Pct Healthcare Ltd (Bolt)"), a reference ("Johnson
# Controls Limited [221741]", "Angloco Ltd 01"), how it is paid ("Ford Motor Co. Ltd Self
# Billing", "Client Account") or its state ("- In Liquidation", "Inactive").
_LEGAL_FORM = re.compile(r"\b(?:limited|ltd|plc|llp)\b\.?")
# ... unless it names another party ("Atkins Ltd and MMI Engineering", "A Ltd, B Ltd") or
# makes a different payee or legal form ("X Ltd Pension Scheme", "Y Limited Partnership").
_NOT_A_NOTE = re.compile(
    r"^\s*(?:[,;/&+]|and\b)"
    r"|\b(?:pension|scheme|trust|trustees?|fund|foundation|charit\w*|partnership|association"
    r"|society|company|liability|llc|lp)\b")
# Notes any payee's name may carry: an account, meter, card or supplier number ("EDF -
# 0439532723 Great Harwood Cemetery", "Total Energies - Town Hall - 3009581025", "LEXIS NEXIS
# UK [226961]", "CANVA* 02612-11693774"), whose money it is ("Client Account") or its state
# ("Inactive"); what follows them is more of the note.
_ACCOUNT_NOTE = re.compile(
    r"\s*(?:[-\u2013\u2014]\s*\d{5,}\b|[(\[]\s*\d{5,}\s*[)\]]|\[\s*\d+\s*\]|\*\s*\d)"
    r"|\s+[-\u2013\u2014]\s+[^-\u2013\u2014]+\s[-\u2013\u2014]\s*\d{5,}\s*$"  # "- Site - 300958"
    r"|[\s(-]*\b(?:client (?:account|acc\w*|a/c|monies)|self[- ]?bill\w*|inactive"
    r"|in (?:liquidation|administration))\b")
# How it is paid, anywhere in the name: "Lancashire County Council (Direct Debit Payments)",
# "(DD ONLY) Ribble Valley Borough Council", "Tesco PLC (CARD ONLY)".
_PAYMENT_NOTE = re.compile(
    r"[(\[]\s*(?:dd|d/d|direct debits?|bacs|chaps|card|cheque|faster payments?"
    r"|standing orders?)\b[^)\]]*(?:[)\]]|$)")
# What a ledger adds after a council's name in brackets: "LANCASTER CITY COUNCIL (NON DOMESTIC
# RATES ONLY)".
_COUNCIL_NOTE = re.compile(r"(?<=\bcouncil)\s*\([^)]*\)?\s*$")
# Square brackets hold a ledger's note, not a name: "JOHNSON CONTROLS LIMITED [221741]",
# "ALLSTAR BUSINESS SOLUTIONS LTD [ARVAL PHH BUSINESS SOLUTIONS LTD]", "LIFTERZ LTD [C&G
# PLATFORMS]".
_SQUARE_BRACKETS = re.compile(r"\[[^\]]*(?:\]|$)")
# "X Ltd (formerly Y Ltd)", "X Ltd Formerley Y": the old name is not the firm's.
_FORMERLY = re.compile(
    r"\s*(?:[(\[]\s*(?:formerly|formally|formerley|previously|previoulsy|was)\b"
    r"|\b(?:formerly|formerley|previously|previoulsy)\b).*$")
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_COOP = re.compile(r"\bco-?op(erative)?s?\b")


def clean_text(text: str | None) -> str:
    """Unescape HTML entities and collapse whitespace (Contracts Finder titles carry &amp;)."""
    if not text:
        return ""
    text = html.unescape(html.unescape(text))
    text = text.replace("\u00a0", " ").replace("Â£", "£")
    return _SPACES.sub(" ", text).strip()


def _registered_name(text: str) -> str:
    """The registered name in "A t/a B": "A Ltd t/a B" -> "A Ltd". Where only B carries a
    legal form, B is the company ("UK NARIC t/a Ecctis Ltd", "Dr P D Lumb T/A High Peak
    Forensics Ltd") and A its brand or its owner's name."""
    text = _LEADING_TRADING_AS.sub("", text)  # "T/A Castle Water Ltd": a split column
    former = _FORMERLY.search(text)  # "Boxxe (formerly t/a Software Box Ltd)"
    if former and text[:former.start()].strip():
        text = text[:former.start()]
    found = _TRADING_AS.search(text)
    if not found:
        return text
    before, after = text[:found.start()], text[found.end():]
    if (_LEGAL_FORM.search(after) and not _LEGAL_FORM.search(before)
            and _SUFFIX_RE.sub(" ", _PUNCT.sub(" ", after)).strip()):
        return after
    return before


def _without_notes(text: str) -> str:
    """Drop notes from a payee's name: how it is paid, an account number, and what follows a
    company's legal form when it does not name another party (see _LEGAL_FORM)."""
    left = _COUNCIL_NOTE.sub(" ", _PAYMENT_NOTE.sub(" ", text))
    if left.strip():
        text = left
    found = _ACCOUNT_NOTE.search(text)
    # Not where a legal form follows: "IMCO (162003) Limited" is a company's whole name.
    if found and text[:found.start()].strip() and not _LEGAL_FORM.search(text, found.end()):
        text = text[:found.start()]
    # After the legal form or at the end ("Xerox [UK] Ltd" keeps its "UK").
    for found in reversed(list(_SQUARE_BRACKETS.finditer(text))):
        if text[:found.start()].strip() and (
                _LEGAL_FORM.search(text, 0, found.start()) or not text[found.end():].strip()):
            text = text[:found.start()] + " " + text[found.end():]
    forms = list(_LEGAL_FORM.finditer(text))
    if not forms:
        return text
    last = forms[-1]
    tail = text[last.end():]
    if not text[:last.start()].strip() or not tail.strip() or _NOT_A_NOTE.search(tail):
        return text
    return text[:last.end()]


def normalise_name(name: str | None, *, keep_trading_name: bool = False) -> str:
    """Return a name reduced for comparison: "J. Smith & Sons Ltd" -> "j smith and sons"."""
    text = clean_text(name).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if not keep_trading_name:
        # "A Ltd t/a B": the registered name identifies the firm.
        text = _without_notes(_registered_name(text))
    text = _COOP.sub("cooperative", text)  # "co-op" and "co-operative" are one word
    text = text.replace("&", " and ").replace("+", " and ")
    # "A.B.C." and "ABC" agree; other punctuation separates words.
    text = _PUNCT.sub(" ", text.replace(".", "").replace("'", ""))
    text = _SUFFIX_RE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# Whole names that stand for a withheld payee or winner. Matched against the normalised
# name, so "THIRD PARTY FORENSICS" and "Redactive Publishing Ltd" (real suppliers) stay
# suppliers.
_WITHHELD = re.compile(
    r"(?:redacted|redaction|redact)(?: .*)?"
    r"|third party(?: supplier| payee| payment)?"
    r"|(?:redacted )?personal (?:data|information|details)"
    r"|(?:name )?withheld(?: .*)?"
    r"|not disclosed|undisclosed|confidential|commercially sensitive|sensitive data"
    r"|private individual|individual|data protection(?: act)?(?: .*)?|gdpr(?: .*)?"
)
# What award notices put where the winner's name goes when no one supplier is named: the
# contract was not awarded (or the tender abandoned), or it went to many firms listed
# elsewhere. Matched against the normalised name ("N/A" is "n a"; "See V1.3 for list" is
# "see v13 for list").
# ... of which these say the procurement was given up ("Tender abandoned", "Withdrawn").
_ABANDONED = (
    r"(?:(?:the )?(?:tender|contract|procurement|process|procedure) (?:was |has been )?)?"
    r"(?:abandoned|cancelled|canceled|withdrawn|discontinued)"
    r"(?: (?:by|due|as|on|in|at|following|after|before|prior|and|no|not) .*)?"
)
_NO_SUPPLIER = re.compile(
    r"(?:.* )?not (?:been )?awarded(?: .*)?|(?:contract )?no award(?: made)?"
    rf"|{_ABANDONED}"
    r"|na|n a|not applicable(?: .*)?|none|nil|tbc|tba|unknown|not known"
    r"|to be (?:confirmed|advised|announced)"
    r"|(?:multiple|various|several|numerous)(?: \w+){0,2}"
    r" (?:suppliers?|providers?|contractors?|companies|firms|organisations|bidders|operators)"
    r"(?: .*)?"
    r"|multiple as per .*"
    r"|(?:please )?see (?:attached|below|above|url|link|list|notice|section|annex|appendix"
    r"|schedule|http|v ?\d).*"
    r"|for (?:contract )?award details.*|.* see attached.*|.*\bdate now passed\b.*"
)

_NOT_APPLICABLE = re.compile(r"n/a\b", re.IGNORECASE)  # "N/A EVENT DAY", "N/A - see notice"


def is_withheld(name: str | None) -> bool:
    """Return True for a name the publisher withheld: "THIRD PARTY", "Redacted - personal
    data", "Name withheld (as individual and not a company)"."""
    text = normalise_name(name)
    return bool(text) and _WITHHELD.fullmatch(text) is not None


def names_no_supplier(name: str | None) -> bool:
    """Return True for what an award notice gives as its winner when it names no supplier:
    blank, withheld, "NOT AWARDED TO SUPPLIER", "Not Applicable", "Multiple Providers (Open
    Framework) see URL link", "See V1.3 for list". Such a winner is no supplier to match."""
    text = normalise_name(name, keep_trading_name=True)
    return (not text or is_withheld(name) or _NO_SUPPLIER.fullmatch(text) is not None
            or _NOT_APPLICABLE.match(clean_text(name)) is not None)


def names_abandonment(name: str | None) -> bool:
    """Return True for what an award notice gives as its winner when the procurement was
    given up: "Tender abandoned", "abandoned", "Procurement withdrawn"."""
    return re.fullmatch(_ABANDONED, normalise_name(name, keep_trading_name=True)) is not None


_COMPANY_FORM = re.compile(r"\b(?:limited|ltd|plc|llp|cic)\b")


def is_company_name(name: str | None) -> bool:
    """Return whether a name is a registered company's ("Pfizer Ltd"): no two live UK
    companies share a name, so the same name is the same firm wherever its address is."""
    return bool(_COMPANY_FORM.search(clean_text(name).lower().replace(".", "")))


def trading_name(name: str | None) -> str | None:
    """Return the trading name in "A Ltd t/a B", normalised, or None."""
    text = clean_text(name).lower()
    match = re.search(r"\b(?:t/as?|trading as)\b(.*)$", text)
    return normalise_name(match.group(1)) if match else None


def name_key(name: str | None) -> str:
    """Return a word-order-free key: "smith j and sons" and "j smith and sons" agree."""
    return " ".join(sorted(normalise_name(name).split()))


# Words that vary between the names one public body goes by ("Blackpool Council",
# "Blackpool Borough Council", "BLACKPOOL COUNCIL").
_PUBLIC_BODY_WORDS = re.compile(r"\b(?:borough|city|council|district|metropolitan|county|of)\b")


# Words initials leave out ("Department for Work and Pensions": DWP).
_NOT_IN_INITIALS = frozenset({"for", "and", "the", "in", "on", "to", "at"})


def buyer_key(name: str | None) -> str:
    """Return a key under which a public buyer's variant names agree: "Blackpool Council" and
    "Blackpool Borough Council"; "Department for Work and Pensions" and "... (DWP)"."""
    key = _SPACES.sub(" ", _PUBLIC_BODY_WORDS.sub(" ", normalise_name(name))).strip()
    return " ".join(_without_initials(key.split())) or normalise_name(name)


def _without_initials(words: list[str]) -> list[str]:
    """Leave out a last word that is the initials of the words before it, or of the last of
    them: "transport for london tfl", "uk research and innovation ukri", "nhs west hampshire
    clinical commissioning group ccg"."""
    if len(words) < 3 or len(words[-1]) < 2 or not words[-1].isalpha():
        return words
    last, before = words[-1], words[:-1]

    def letters(part: list[str]) -> str:
        return "".join(w if len(w) == 2 else w[0] for w in part)  # "uk" as written

    for start in range(len(before) - 1):
        part = before[start:]
        if last in (letters(part), letters([w for w in part if w not in _NOT_IN_INITIALS])):
            return before
    return words


_ON_BEHALF = re.compile(
    r"^(?P<agent>.+?)[\s,(-]+(?:acting |procuring |tendering )?(?:for and )?on behalf of "
    r"(?:the )?(?P<principal>.+?)[\s).]*$", re.IGNORECASE)
_SEVERAL_BODIES = re.compile(r"\b(?:councils|trusts|authorities|boards|members|partners)\b|,")


def principal_buyer(name: str | None) -> str:
    """Return the body a notice's buyer buys for: the anchor institution its name stands for.

    Named "A on behalf of B": B when it names one public body ("Muse Developments Limited on
    behalf of Blackpool Borough Council" is Blackpool's notice), else A when A is one (a
    council buying for one of its departments, or for several councils, leads the
    procurement), else the name as given. A council's department or team is the council
    ("Hyndburn Borough Council Environmental Services", "Staffordshire County Council- Health
    and Care", "Dundee City Council, Contracts Team"); councils buying together ("Chorley
    Council and South Ribble Borough Council") are left as named. Any other name is returned
    as it is."""
    text = clean_text(name)
    found = _ON_BEHALF.match(text)
    if found is not None:
        agent, principal = found["agent"].strip(" ,-("), found["principal"].strip()
        if _one_public_body(principal):
            return principal
        if _one_public_body(agent):
            return _council_of(agent)
        return text
    return _council_of(text)


def _council_of(name: str) -> str:
    """The council a department's name begins with, or the name as it is."""
    for found in _COUNCIL_WORD.finditer(name):
        council, rest = name[:found.end()], name[found.end():].strip(" ,-\u2013\u2014:(")
        if not rest or _JOINED.match(rest):
            return name  # the council itself, or councils buying together
        if _one_public_body(council) and not council.lower().startswith(("the council",
                                                                          "council")):
            return council
    return name


_COUNCIL_WORD = re.compile(r"\bcouncil\b", re.IGNORECASE)
# What follows a council's name when it is not one of its departments: another body
# ("... and Wyre Council") or what the council is for ("... Council for Voluntary Service").
_JOINED = re.compile(r"(?:and|for|of|on)\b|&|\+", re.IGNORECASE)


def _one_public_body(name: str) -> bool:
    """A public body's name that does not list several ("Chorley and South Ribble Borough
    Councils", "Lancashire County Council and Blackpool Council", "its members")."""
    if not is_public_body_name(name) or _SEVERAL_BODIES.search(name.lower()):
        return False
    parts = re.split(r"\s+(?:and|&)\s+", name, flags=re.IGNORECASE)
    return sum(is_public_body_name(part) for part in parts) < 2


def registration_key(number: str | None) -> str:
    """Return a registration number in one form: Companies House numbers are 8 characters."""
    text = re.sub(r"\s+", "", (number or "").upper())
    return text.zfill(8) if text.isdigit() and len(text) < 8 else text


# Names only a public body has: a council ("Lancashire County Council", "Wyre Council"), the
# NHS, police and fire services, and the commissioning and combined bodies of local government.
# Narrow on purpose: "China-Britain Business Council", "Business Council for Sustainable Energy"
# and "Police Mutual" are not public bodies; a council's department ("Bury Council Transport
# Services") is one.
_PUBLIC_BODY = re.compile(
    r"(?:^[\w-]+ council(?:$| (?!for\b|of\b|on\b))|^city of .+ council\b"
    r"|^(?:the )?(?:london|royal) borough of \w"
    r"|\b(?:borough|county|city|district|town|parish|metropolitan|unitary) council\b"
    r"|\bpolice (?:and crime commissioner|service|force|authority)\b|\bconstabulary$"
    r"|\bfire (?:and|&) rescue (?:service|authority)$|\bfire authority$"
    r"|\bcombined (?:county )?authority$|\bclinical commissioning group$"
    r"|\bintegrated care board$)"
)


def is_public_body_name(name: str | None) -> bool:
    """Return whether a name is a public body's by its form ("Lancashire County Council",
    "Blackpool Teaching Hospitals NHS Foundation Trust", "Lancashire Fire and Rescue
    Service"), for suppliers known only by name. A company ("NHS Professionals Ltd") is not.
    A council's own trading arm is, however it is written: "Cleaning Services, Bradford
    Council", "Doncaster Council, Metro Clean", "Hertfordshire County Council t/a Herts
    Fullstop", "Sheffield City Council - Environmental Services", "Blackpool Council Corporate
    Print Services"."""
    text = clean_text(name).lower().replace(".", "").replace("&amp;", "&")
    if is_company_name(text):
        return False
    parts = _NAME_PARTS.split(text)
    return bool(re.search(r"\bnhs\b", text)  # the NHS anywhere in the name
                or any(_PUBLIC_BODY.search(part.strip(" -")) for part in parts))


# Where a name joins a body to its trading name or department.
_NAME_PARTS = re.compile(r",|\(|\)|\bt/a\b|\btrading as\b|\s[-\u2013\u2014]|[-\u2013\u2014]\s")
