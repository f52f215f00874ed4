"""A small hand-made ledger and register whose figures are worked out by hand in the tests."""

from datetime import date

from coopmatch.spend import AnchorArea, SupplierLocation
from coopmatch.spend.tiers import BRANCH

HYNDBURN = "E07000120"
PENDLE = "E07000122"
LANCASHIRE = "E10000017"
MANCHESTER = "E08000003"
GREATER_MANCHESTER = "E11000001"
NORTH_WEST = "E12000002"
LEEDS = "E08000035"
YORKSHIRE = "E12000003"
LONDON_CITY = "E09000001"
LONDON = "E12000007"

# Hyndburn's 2017 layout, as its finance system writes it: Windows-1252 "£", old-Mac line
# endings, credits with a trailing "-" or in brackets, and whatever date format came out.
SERIAL_2019_07_10 = (date(2019, 7, 10) - date(1899, 12, 30)).days
HAND_LEDGER = (
    "Service Cost Centre,Account Detail,Description,HBC ref no,Name,Payment date,Net Amount(£)\r"
    'Depot,Repairs,Roof repair,B1/101,ACCRINGTON JOINERY LIMITED,15/04/2019,"£1,000.00"\r'
    "Depot,Repairs,Roof repair refund,B1/101,Accrington Joinery Ltd,16-Apr-19,200.00-\r"
    "Comms,Printing,Leaflets,B2/202,Pendle Print Co-operative Limited,2019-05-20,500\r"
    "Town Hall,Cleaning,Cleaning May,B3/303,Manchester Cleaning Services,01/06/2019,2000.00\r"
    f'Town Hall,Energy,Electricity,B4/404,National Energy PLC,{SERIAL_2019_07_10},"3,000.00"\r'
    "ICT,Software,Licences,B5/505,Euro Software GmbH,31 March 2020,1000.00\r"
    "Legal,Legal,Advice,B6/606,Leeds Legal L.L.P.,02/08/2019,700\r"
    "Policy,Consultancy,Review,B7/707,Nowhere Consulting,03/08/2019,300.00\r"
    'Housing,Care,Placement,B8/808,Redacted - personal data,04/08/2019,"1,200.00"\r'
    "Depot,Repairs,Gutters,B9/909,Unknown Trader XYZ,05/09/2019,500.00\r"
    ",,,,,,\r"
    "Depot,Repairs,Windows,B1/101,Accrington Joinery Ltd,01/04/2020,2000\r"
    "Legal,Legal,Advice,B6/606,Leeds Legal LLP,15/01/2021,1500.00\r"
    "Legal,Legal,Advice refund,B6/606,Leeds Legal LLP,20/01/2021,(500.00)\r"
    "Housing,Care,Placement,B8/809,THIRD PARTY,28/02/2021,1000.00\r"
    ",,,,,,\r"
).encode("cp1252")

# (id, name, postcode, trading names), with where each one is and who owns it.
REGISTER = [
    (1, "Accrington Joinery Ltd", "BB5 1AA", []),
    (2, "Pendle Print Co-operative Ltd", "BB9 7AA", []),
    (3, "Manchester Cleaning Services Ltd", "M1 1AA", []),
    (4, "National Energy plc", "EC2V 7AA", []),
    (5, "Euro Software GmbH", None, []),
    (6, "Leeds Legal LLP", "LS1 1AA", []),
    (7, "Nowhere Consulting Ltd", None, []),
]
LOCATIONS = {
    1: [SupplierLocation(lad_code=HYNDBURN, wider_code=LANCASHIRE, region_code=NORTH_WEST)],
    2: [SupplierLocation(lad_code=PENDLE, wider_code=LANCASHIRE, region_code=NORTH_WEST)],
    3: [
        SupplierLocation(lad_code=MANCHESTER, wider_code=GREATER_MANCHESTER, region_code=NORTH_WEST)
    ],
    # Registered in London, with a depot in Hyndburn: local, through its branch.
    4: [
        SupplierLocation(lad_code=LONDON_CITY, region_code=LONDON),
        SupplierLocation(
            kind=BRANCH, lad_code=HYNDBURN, wider_code=LANCASHIRE, region_code=NORTH_WEST
        ),
    ],
    5: [SupplierLocation(country="Germany")],
    6: [SupplierLocation(lad_code=LEEDS, region_code=YORKSHIRE)],
    7: [],
}
OWNERSHIP = {
    1: "worker_coop",
    2: "multi_stakeholder_coop",
    3: "sme",
    4: "large_company",
    5: "large_company",
    6: "sme",
    7: "sme",
}
AREA = AnchorArea(HYNDBURN, LANCASHIRE, NORTH_WEST, name="Hyndburn")
