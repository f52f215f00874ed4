import pytest

from coopmatch.names import (
    buyer_key,
    clean_text,
    is_public_body_name,
    name_key,
    names_no_supplier,
    normalise_name,
    trading_name,
)


@pytest.mark.parametrize("a, b", [
    ("J. Smith & Sons Ltd", "J Smith and Sons Limited"),
    ("A.B.C. Ltd", "ABC LIMITED"),
    ("Unity Co-operative Limited", "unity cooperative"),
    ("Cassidy &amp; Ashton Group Ltd", "Cassidy and Ashton Group"),
    ("Pendle Print Co-op", "Pendle Print Co-operative Limited"),
])
def test_equivalent_names_normalise_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_word_order_free_key():
    assert name_key("Smith J and Sons Ltd") == name_key("J Smith & Sons Limited")


def test_trading_as():
    assert normalise_name("ACME LIMITED t/a Acme Cleaning") == "acme"
    assert trading_name("ACME LIMITED t/a Acme Cleaning") == "acme cleaning"
    assert normalise_name("J Smith (T/A Smith Plumbing)") == "j smith"
    # "TA" that begins a name is part of it: such names had all normalised to "".
    assert normalise_name("TA Browne Contract Services Ltd") == "ta browne contract services"
    # "T/A" before a company's name is left over from a split column.
    assert normalise_name("T/A Castle Water Ltd") == normalise_name("Castle Water Ltd")
    # Where only the trading name carries a legal form, it is the company's name.
    assert normalise_name("UK NARIC t/a Ecctis Ltd") == "ecctis"
    assert normalise_name("Dr P D Lumb T/A High Peak Forensics Ltd") == "high peak forensics"
    assert normalise_name("Nadim T/A Ltd") == "nadim"
    assert normalise_name("BOXXE (FORMALLY T/A SOFTWARE BOX LTD)") == "boxxe"
    # "T/As" as ledgers write it.
    assert normalise_name("PAINTCRAFT LTD T/AS HOSPITAL AIDS") == "paintcraft"
    assert trading_name("MWUK Ltd T/AS YAFFY") == "yaffy"


@pytest.mark.parametrize("noted, name", [
    ("Ford Motor Co. Ltd Self Billing", "Ford Motor Company Ltd"),
    ("Water Plus Ltd - 6000325944 - Car Park, Union Rd", "Water Plus Ltd"),
    ("Pct Healthcare Ltd (Bolt)", "PCT Healthcare Limited"),
    ("Lloyds Pharmacy Ltd-Pendleton Gateway", "Lloyds Pharmacy Ltd"),
    ("JOHNSON CONTROLS LIMITED [221741]", "Johnson Controls Ltd"),
    ("outdoor action ltd (905157)", "Outdoor Action Ltd"),
    ("The James Mercer Group Ltd 01", "James Mercer Group Ltd"),
    ("GARSTANG CLEANING SPECIALISTS LTD - IN LIQUIDATION", "Garstang Cleaning Specialists Ltd"),
    ("VODAFONE CORPORATE LTD INACTIVE", "Vodafone Corporate Ltd"),
    ("Gerald Eve Llp - Client Account", "Gerald Eve LLP"),
    ("Atkins Ltd (Region 1, 2, 3, 4, 5, 6, 7)", "Atkins Limited"),
    ("Zurich Insurance plc (UK Branch) (Trading as Zurich Municipal)", "Zurich Insurance PLC"),
    ("AGIITO LTD (FORMALLY CAPITA TRAVEL & EVENTS LTD)", "Agiito Ltd"),
    ("Avoira Ltd Formerley Videonations L", "Avoira Ltd"),
    ("NEC SOFTWARE SOLUTIONS (FORMERLY NORTHGATE PUBLIC SERVICES (UK) LTD) [234295]",
     "NEC Software Solutions"),
    ("Tony Gee and Partners LLP\u202a", "Tony Gee and Partners LLP"),
    # Notes on any payee's name: account, meter, card and supplier numbers, client accounts.
    ("EDF - 0439532723 Great Harwood Cemetery Site 3", "EDF"),
    ("Total Energies - Acc Town Hall - 3009581025", "Total Energies"),
    ("SSE - 8700244644", "SSE"),
    ("LEXIS NEXIS UK [226961]", "Lexis Nexis UK"),
    ("EVANS HALSHAW [233480] (BURNLEY & BLACKBURN)", "Evans Halshaw"),
    ("CANVA* 02612-11693774", "Canva"),
    ("Thompsons Client Account", "Thompsons"),
    ("Colliers International (Client A/C)", "Colliers International"),
    ("vow europe - inactive", "VOW Europe"),
    ("Oasis UK formerly Box-It (NW)", "Oasis UK"),
    # How it is paid.
    ("Lancashire County Council (Direct Debit Payments)", "Lancashire County Council"),
    ("(DD ONLY) Ribble Valley Borough Council", "Ribble Valley Borough Council"),
    ("Post Office (CARD ONLY)", "Post Office"),
    ("LANCASTER CITY COUNCIL (NON DOMESTIC RATES ONLY)", "Lancaster City Council"),
    ("ALLSTAR BUSINESS SOLUTIONS LTD [ARVAL PHH BUSINESS SOLUTIONS LTD]",
     "Allstar Business Solutions Ltd"),
])
def test_notes_after_a_company_name_are_not_the_name(noted, name):
    """Ledgers and notices write a site, an account, a reference or a former name after a
    company's legal form: the firm is the same."""
    assert normalise_name(noted) == normalise_name(name)


@pytest.mark.parametrize("name, normalised", [
    # Another party: a joint bid, or a list of winners.
    ("Atkins Ltd and MMI Engineering", "atkins and mmi engineering"),
    ("Ashcroft Demolition (Cumbria) Ltd,Beech Group", "ashcroft demolition cumbria beech group"),
    ("Mangar International Ltd/Winncare", "mangar international winncare"),
    # A different payee, or a legal form of more than one word.
    ("TRUSTEES OF THE MPT GROUP LTD PENSION SCHEME", "trustees of mpt group pension scheme"),
    ("Airport City Limited Partnership", "airport city partnership"),
    ("3M United Kingdom Public Ltd Company", "3m united kingdom public"),
    # A legal form that begins the name is not where it ends; a year is part of a name.
    ("Limited Edition Catering", "edition catering"),
    ("Smith Holdings (2019) Ltd", "smith holdings 2019"),
    ("Studio 54 - Events", "studio 54 events"),
    ("Inactive Kids CIC", "inactive kids"),
    ("Card Factory", "card factory"),
    ("Xerox [UK] Ltd", "xerox uk"),
    ("(BACS)", "bacs"),
])
def test_what_follows_a_legal_form_is_kept_when_it_is_not_a_note(name, normalised):
    assert normalise_name(name) == normalised


@pytest.mark.parametrize("name", [
    "NOT AWARDED TO SUPPLIER", "Contract not awarded", "No award",
    "The contract has not been awarded and the procedure is now concl", "Not Applicable", "n/a",
    "N/A EVENT DAY", "N/A - see notice", "-", "TBC", "DATE NOW PASSED", "Withheld",
    "Name withheld (as individual and not a company)",
    "Multiple Providers", "Multiple Approved Suppliers", "Various Suppliers",
    "Multiple suppliers - see attached spreadsheet",
    "Multiple as per approved supplier lists webpage accessible from link in Section IV)",
    "Multiple Providers (Open Framework) see URL link for Provider details", "See V1.3 for list",
    "For Contract Award details, please see https://www.hants.gov.uk/transport", "", "  ",
    "abandoned", "Tender abandoned", "Tender Cancelled", "Procurement withdrawn",
    "Tender abandoned due to lack of bids",
    "The procedure was discontinued",
])
def test_what_award_notices_write_when_they_name_no_supplier(name):
    assert names_no_supplier(name)


@pytest.mark.parametrize("name", [
    "TA Browne Contract Services Ltd", "Forget Me Not Home Services Ltd", "QA Ltd", "HP",
    "N A Smith Ltd", "Seesaw Ltd", "Multiple Sclerosis Society", "Nil By Mouth Catering",
    "Unknown Worlds Ltd", "Various Artists Productions", "Third Party Forensics",
    "Not Just Travel Ltd", "Abandoned Cart Solutions Ltd", "Withdrawn Tender Services",
])
def test_names_of_suppliers_are_not_taken_for_no_supplier(name):
    assert not names_no_supplier(name)


def test_clean_text_unescapes_entities():
    assert clean_text("St John&#039;s &amp; Co") == "St John's & Co"


def test_a_company_name_carries_its_legal_form():
    from coopmatch.names import is_company_name

    assert is_company_name("Pfizer Ltd") and is_company_name("ARCO LIMITED")
    assert is_company_name("Mears Group plc") and is_company_name("Bright Futures C.I.C.")
    assert not is_company_name("Balmer") and not is_company_name("Coltd Farm")


@pytest.mark.parametrize("name", [
    "Lancashire County Council", "Wyre Council", "Blackburn With Darwen Borough Council",
    "City of Bradford Council",
    "Facilities Management Catering & Cleaning Services, Bradford Council",
    # a council's trading arm, however it is written
    "Doncaster Council, Metro Clean", "Hertfordshire County Council t/a Herts Fullstop",
    "Hertfordshire County Council (Trading as Herts FullStop)",
    "Sheffield City Council- Environmental Services",
    "Bradford Metropolitan District Council \u2014 FM Catering Services",
    "Blackpool Council Corporate Print Services", "Bury Council Transport Services",
    "Preston City Council Parks Team",
    "East Lancashire Hospitals NHS Trust", "Mersey Care NHs trust",
    "Lancashire Police and Crime Commissioner", "Lancashire Constabulary",
    "Lancashire Fire and Rescue Service", "Lancashire Combined County Authority",
])
def test_public_bodies_are_known_by_their_names(name):
    assert is_public_body_name(name)


@pytest.mark.parametrize("name", [
    "China-Britain Business Council", "Bolton & District Hospital Saturday Council",
    "Glasgow Council on Alcohol", "Blackpool Council Corporate Print Services,Happy Creative Ltd",
    "Community Council of Devon", "West Lancashire Council for Voluntary Service",
    "Business Council for Sustainable Energy",
    "Police Mutual Assurance Society", "Chubb Fire and Security Ltd", "NHS Professionals Ltd",
    "Preston Catering Co-operative", "",
])
def test_charities_clubs_and_companies_are_not_public_bodies(name):
    assert not is_public_body_name(name)


@pytest.mark.parametrize("variant, name", [
    ("Department for Work and Pensions (DWP)", "Department for Work and Pensions"),
    ("Transport for London (TfL)", "Transport for London"),
    ("UK Research and Innovation (UKRI)", "UK Research and Innovation"),
    ("NHS West Hampshire Clinical Commissioning Group (CCG)",
     "NHS West Hampshire Clinical Commissioning Group"),
    ("Department for Infrastructure DfI", "Department for Infrastructure"),
    ("Blackpool Borough Council", "BLACKPOOL COUNCIL"),
])
def test_a_buyers_variant_names_share_its_key(variant, name):
    assert buyer_key(variant) == buyer_key(name)


@pytest.mark.parametrize("first, second", [
    ("NHS Central Manchester CCG", "NHS Central Manchester"),  # CCG: not its words' initials
    ("Preston Bus", "Preston"),
    ("West Sussex County Council", "East Sussex County Council"),
])
def test_other_words_keep_buyers_apart(first, second):
    assert buyer_key(first) != buyer_key(second)


def test_a_winner_named_as_the_tender_abandoned_says_it_was_given_up():
    from coopmatch.names import names_abandonment

    for name in ("abandoned", "Tender abandoned", "Procurement withdrawn",
                 "Tender abandoned due to lack of bids"):
        assert names_abandonment(name), name
    for name in ("NOT AWARDED TO SUPPLIER", "Multiple Providers", "Abandoned Cart Solutions Ltd",
                 "", None):
        assert not names_abandonment(name), name


@pytest.mark.parametrize("given, buyer", [
    # The body bought for, where it is one public body.
    ("Muse Developments Limited on behalf of Blackpool Borough Council",
     "Blackpool Borough Council"),
    ("YPO on behalf of Lancashire County Council", "Lancashire County Council"),
    ("ESPO for and on behalf of Leicestershire County Council",
     "Leicestershire County Council"),
    ("Blackpool Council (on behalf of Lancashire County Council)", "Lancashire County Council"),
    # Else the public body that leads: for its own department, or for several bodies.
    ("Ribble Valley Borough Council on behalf of the Waste Management Department",
     "Ribble Valley Borough Council"),
    ("Preston City Council, acting on behalf of Burnley Borough Council, Chorley Borough "
     "Council", "Preston City Council"),
    ("Chorley Council on behalf of Chorley and South Ribble Borough Councils", "Chorley Council"),
    ("Lancashire County Council on behalf of Lancashire County Council and Blackpool Council",
     "Lancashire County Council"),
    ("The London Borough of Hillingdon on behalf of The Park Federation Academy Trust",
     "The London Borough of Hillingdon"),
    # A council's department or team is the council; councils buying together stay together.
    ("Hyndburn Borough Council Environmental Services", "Hyndburn Borough Council"),
    ("Staffordshire County Council- Health and Care", "Staffordshire County Council"),
    ("Hertfordshire County Council - Children's Services", "Hertfordshire County Council"),
    ("Dundee City Council, Contracts Team", "Dundee City Council"),
    ("Chorley Council and South Ribble Borough Council",
     "Chorley Council and South Ribble Borough Council"),
    ("Chorley Council  &amp; South Ribble Borough Council",
     "Chorley Council & South Ribble Borough Council"),
    ("West Lancashire Council for Voluntary Service",
     "West Lancashire Council for Voluntary Service"),
    ("THE FINANCIAL REPORTING COUNCIL LIMITED", "THE FINANCIAL REPORTING COUNCIL LIMITED"),
    ("Glasgow Council on Alcohol", "Glasgow Council on Alcohol"),
    ("West Mercia Energy (A Local Authority Joint Committee of Shropshire Council, "
     "Worcestershire County Council)", "West Mercia Energy (A Local Authority Joint Committee "
                                       "of Shropshire Council, Worcestershire County Council)"),
    # Else the name as given: neither side is one public body.
    ("Acme Ltd on behalf of its members", "Acme Ltd on behalf of its members"),
    ("Business Services Organisation on behalf of the Belfast HSC Trust, Northern HSC Trust",
     "Business Services Organisation on behalf of the Belfast HSC Trust, Northern HSC Trust"),
    ("Chorley Council", "Chorley Council"),
    ("  Removal of Bodies Ltd ", "Removal of Bodies Ltd"),
])
def test_a_buyer_is_the_body_bought_for(given, buyer):
    from coopmatch.names import principal_buyer

    assert principal_buyer(given) == buyer
