from coopmatch.geo import GeoReference


def test_locates_a_postcode_with_its_areas(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    place = geo.lookup("pr1 2he")
    assert place.precision == "postcode"
    assert place.lad_code == "E07000123" and place.lad_name == "Preston"
    assert place.county_code == "E47000018"
    assert place.county_name == "Lancashire Combined County Authority"
    assert place.region_code == "E12000002"
    assert 53.7 < place.latitude < 53.8 and -2.8 < place.longitude < -2.6


def test_combined_authority_is_the_wider_area_in_greater_manchester(data_dir, cache_dir):
    place = GeoReference(data_dir, cache_dir).lookup("M1 1AE")
    assert place.lad_code == "E08000003"
    assert place.county_code == "E47000001"


def test_a_combined_authority_is_the_county_tier_of_the_counties_and_unitaries_in_it(
    data_dir, cache_dir
):
    geo = GeoReference(data_dir, cache_dir)
    # Lancashire's combined county authority (2025): its county's districts and the two
    # unitaries, Blackpool and Blackburn with Darwen, are one tier, as local to each other.
    for postcode in ("PR1 2HE", "FY1 1AD", "BB1 7DY", "LA1 1PJ"):
        assert geo.lookup(postcode).county_code == "E47000018", postcode
    assert len(geo.lad_codes_in("E47000018")) == 14
    # The county stays an area of its own, and its council is in the authority's tier.
    assert geo.area("E10000017").kind == "county" and len(geo.lad_codes_in("E10000017")) == 12
    assert geo.county_tier("E10000017") == "E47000018"
    assert geo.county_tier("E10000015") == "E10000015"  # Hertfordshire: in none
    # Others set up since the lookup in the reference data, and one in it (East Midlands).
    assert geo.lookup("HU1 2AA").county_code == "E47000016"  # Hull
    assert geo.lookup("LN1 1DD").county_code == "E47000017"  # Lincoln
    assert geo.lookup("TQ1 1DE").county_code == "E47000015"  # Torbay
    assert geo.lookup("DE1 2FS").county_code == geo.lookup("S40 1LP").county_code == "E47000013"
    # A district of a county in no combined authority keeps its county.
    assert geo.lookup("AL1 3JE").county_code == "E10000015"


def test_unknown_unit_postcode_falls_back_to_its_district(data_dir, cache_dir):
    place = GeoReference(data_dir, cache_dir).lookup("LA1 9ZZ")
    assert place.precision == "district"
    assert place.lad_code == "E07000121"


def test_areas_list_their_local_authorities(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    lancashire = geo.lad_codes_in("E10000017")
    assert "E07000123" in lancashire and len(lancashire) == 12
    assert "E07000123" in geo.lad_codes_in("E12000002")
    assert geo.area_name("E47000001") == "Greater Manchester"


def test_areas_are_found_by_code_or_by_name_in_any_case(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)

    def codes(text):
        return [a.code for a in geo.areas_named(text)]

    assert codes("E10000017") == codes("e10000017") == codes("Lancashire") == ["E10000017"]
    assert codes("north west") == ["E12000002"]
    assert codes("Kingston upon Hull") == ["E06000010"]  # "Kingston upon Hull, City of"
    # The shorter name a council goes by, where only one area has it.
    assert codes("Hull") == ["E06000010"] and codes("durham") == ["E06000047"]
    # ... and each place of a joined name: "Blackburn with Darwen", "Brighton and Hove".
    assert codes("Blackburn") == codes("Darwen") == ["E06000008"]
    assert codes("brighton") == codes("Hove") == ["E06000043"]
    assert codes("Christchurch") == ["E06000058"]  # "Bournemouth, Christchurch and Poole"
    assert codes("Chester") == ["E06000050"]  # "Cheshire West and Chester"
    assert codes("Newcastle") == ["E08000021"]
    assert codes("Kingston") == []  # upon Hull or upon Thames: not guessed
    assert codes("Telford & Wrekin") == codes("telford and wrekin") == ["E06000020"]
    # A name two areas share gives both: the region and the combined authority.
    assert codes("West Midlands") == ["E12000005", "E47000007"]
    assert codes("Narnia") == codes("") == codes("PR1") == []
    assert geo.is_postcode_district("pr1") and not geo.is_postcode_district("ZZ9")
    # A mistyped name: the area probably meant, if one is close.
    assert geo.closest_area_name("Lancshire") == "Lancashire"
    assert geo.closest_area_name("Lancshire", "local_authority") is None
    assert geo.closest_area_name("Narnia") is None


def test_without_reference_data_postcodes_are_grouped_by_district(tmp_path):
    geo = GeoReference(None, tmp_path)
    assert not geo.available
    place = geo.lookup("pr1 2he")
    assert place.district == "PR1" and place.precision == "format"
    assert place.latitude is None and place.lad_code is None


def test_two_references_writing_the_postcode_cache_at_once_both_succeed(tmp_path, monkeypatch):
    """Two workers starting together each parse the postcodes and write the cache; neither may
    rename or truncate the other's half-written file (it once failed with FileNotFoundError)."""
    import gzip

    import numpy as np

    from coopmatch.geo import reference

    geography = tmp_path / "data" / reference.GEOGRAPHY
    geography.mkdir(parents=True)
    with gzip.open(geography / reference.POSTCODES_FILE, "wt") as handle:
        handle.write("postcode,latitude,longitude,lad_code\n")
        handle.write("PR1 2HE,53.759,-2.699,E07000123\nLA1 1AA,54.05,-2.80,E07000121\n")
    cache = tmp_path / "cache"
    real_savez = np.savez
    other = GeoReference(tmp_path / "data", cache)
    calls = []

    def savez_while_another_writes(file, **arrays):
        real_savez(file, **arrays)
        if not calls:  # the first writer is between writing its file and renaming it
            calls.append(1)
            assert len(other._units["keys"]) == 2

    monkeypatch.setattr(reference.np, "savez", savez_while_another_writes)
    first = GeoReference(tmp_path / "data", cache)
    assert list(first._units["keys"]) == [b"LA11AA", b"PR12HE"]
    assert calls
    assert [p.name for p in cache.iterdir() if p.name.endswith(".tmp.npz")] == []
    monkeypatch.undo()
    cached = GeoReference(tmp_path / "data", cache)._units  # read back from the cache
    assert list(cached["lad_names"]) == ["E07000123", "E07000121"]


def test_a_council_s_initials_are_place_words(data_dir, cache_dir):
    from coopmatch.geo.reference import council_initials

    assert {"lcc", "lbc", "ldc", "lmbc"} <= council_initials(["lancashire"])
    assert {"wlbc", "srbc"} <= council_initials(["west lancashire", "south ribble"])
    bath = council_initials(["bath and north east somerset"])
    assert {"bnes", "banes", "bnesc", "banesc"} <= bath
    assert not {"bc", "lc"} & council_initials(["bury", "lancashire"])  # too short to name one
    assert "hpc" not in council_initials(["high peak"])  # computing, more often than the council
    places = GeoReference(data_dir, cache_dir).place_words(["Measured term contract (MTC)"])
    words = places.in_text("LCC CORP: school transport; WLBC housing; a BNES bus")
    assert {"lcc", "wlbc", "bnes"} <= words
    assert not {"corp", "school", "transport", "housing", "bus"} & words
    assert "mtc" not in places.in_text("Roads MTC for Merthyr Tydfil")  # an ordinary word


def test_place_words_leave_out_ordinary_words_of_the_work(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    places = geo.place_words(["Forest trails", "Castle and tower repairs"])
    words = places.in_text("Litter picking in the Forest of Dean and Amber Valley")
    assert {"lancashire", "preston", "manchester"} <= words
    assert {"dean", "amber", "valley"} <= words
    assert not {"castle", "tower"} & words  # "Castle Point", "Tower Hamlets": not written
    assert "of" not in words and "and" not in words
    # Written whole, a name hides all its words, the ordinary ones too ("forest" of "Forest of
    # Dean", "bridge" and "le" of "Bamber Bridge" and "Clayton-le-Woods")...
    assert "forest" in words
    written = places.in_text("Leisure centre, Bamber Bridge; play area, Clayton-le-Woods")
    assert {"bamber", "bridge", "clayton", "le", "woods"} <= written
    assert not {"leisure", "centre", "play", "area"} & written
    # ... but not elsewhere, and a name of ordinary words only is no place ("Town Centre").
    assert not {"forest", "bridge", "le"} & places.in_text("Forest trails; bridge repairs")
    ordinary = geo.place_words(["Town planning", "Call centre", "Bridge construction"])
    assert not {"town", "centre"} & ordinary.in_text("Town Centre CCTV")
    assert "bridge" in ordinary.in_text("Bamber Bridge")
    # A longer name's words are place words only where the whole name is written.
    plain = places.in_text("Weeding of shrub borders and amber lights")
    assert "preston" in plain and not {"borders", "amber", "valley"} & plain
    assert "borders" in places.in_text("Roads in the Scottish Borders")
    # Without the reference data only the country's own names are known, and the fixed
    # names of counties and police and health areas, not the towns.
    bare = GeoReference(None, cache_dir).place_words().in_text("Preston, UK")
    assert {"uk", "gb", "england", "britain", "lancashire", "bedfordshire"} <= bare
    assert "preston" not in bare
    # Counties that are no council today, and police and NHS areas, are places too: "Police
    # and Crime Commissioner for Bedfordshire" names no work ("Thames Valley" written whole).
    assert {"bedfordshire", "cheshire", "berkshire", "merseyside", "lothian"} <= places.always
    assert {"thames", "valley"} <= places.in_text("Thames Valley Police")
    assert "valley" not in places.in_text("Valley gutter repairs")
    # Postcode districts are places: "PR25 5DH" in an address is not the work.
    assert {"pr25", "m14", "sw1a"} <= plain
    assert not {"a4", "4wd"} & plain  # A4 paper is not a postcode district
    assert {"pr25", "dh"} <= places.in_text("West Paddock, Leyland, PR25 1DH")
    assert "dh" not in plain
    assert {"gb", "uk", "england", "united", "kingdom"} <= places.in_text(
        "GB-Preston: UK-wide work in England, United Kingdom")
    # A ward named for part of a place names the place: "Kirkham North" and "Kirkham South"
    # name Kirkham, "Bamber Bridge East" Bamber Bridge (where written whole), "Attenborough and
    # Chilwell East" both. A place's name that is a word of the work stays one ("Canning Town").
    wards = places.in_text("Kirkham playing fields; Bamber Bridge depot; Chilwell library")
    assert {"kirkham", "bamber", "chilwell"} <= wards
    assert not {"playing", "fields", "depot", "library"} & wards
    assert "bamber" not in places.in_text("Bamber's depot")  # a name of two words, not whole
    assert "canning" not in places.in_text("Food canning at Canning Town")
    assert "united" not in places.in_text("United Utilities")
    # Towns are places too (from Co-operatives UK's addresses), but not where a town's name is
    # an ordinary word of the work.
    assert {"leyland", "lytham", "annes"} <= places.in_text("Play area in Leyland; Lytham St Annes")
    assert "annes" not in places.in_text("Annes Kitchen")
    assert {"moss", "seven", "stars"} <= places.in_text("Moss Side playing fields, Seven Stars")
    assert not {"moss", "stars"} & places.in_text("Moss removal; five stars")
    assert not {"felling", "leek", "march"} & places.in_text("Tree felling, leek beds in March")


def test_a_northern_ireland_postcode_is_placed_in_the_nation(data_dir, cache_dir):
    # The reference data covers Great Britain only: a BT postcode has no coordinates, but
    # buyers and suppliers in Northern Ireland still share a region for matching.
    place = GeoReference(data_dir, cache_dir).lookup("bt7 1nr")
    assert place.precision == "country" and not place.located
    assert place.region_code == "N92000002" and place.country == "Northern Ireland"
    assert place.lad_code is None
    assert GeoReference(data_dir, cache_dir).lookup("BA1 1AA").region_code != "N92000002"


def test_a_council_without_a_postcode_is_placed_by_the_area_its_name_names(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    chorley = geo.lookup("PR7 1DP")
    for name in ("Chorley Borough Council", "CHORLEY COUNCIL"):
        place = geo.place_of_buyer(name)
        assert place.precision == "area" and place.postcode == ""
        assert place.lad_code == "E07000118" and place.lad_name == "Chorley"
        assert place.county_code == "E47000018" and place.region_code == "E12000002"
        assert abs(place.latitude - chorley.latitude) < 0.1
    # The longest name wins, and a county council is placed in the county, not a district.
    assert geo.place_of_buyer("West Lancashire Borough Council").lad_code == "E07000127"
    county = geo.place_of_buyer("Lancashire County Council")
    assert county.lad_code is None and county.county_code == "E47000018"
    assert geo.place_of_buyer("Kingston upon Hull City Council").lad_code == "E06000010"
    assert geo.place_of_buyer("Blackburn with Darwen Borough Council").lad_code == "E06000008"
    # An NHS trust by the area its name names (see the test of NHS bodies below).
    assert geo.place_of_buyer(
        "Lancashire Teaching Hospitals NHS Foundation Trust").county_code == "E47000018"
    # No area named: not placed.
    assert geo.place_of_buyer("Housing Council") is None
    assert geo.place_of_buyer("") is None and geo.place_of_buyer(None) is None


def test_councils_of_areas_reorganised_since_2019_are_placed(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    # A unitary formed in 2023 has no published centroid: it is centred on the old districts.
    cumberland = geo.place_of_buyer("Cumberland Council")
    assert cumberland.lad_code == "E06000063" and cumberland.region_code == "E12000002"
    workington = geo.lookup("CA14 2RS")
    assert workington.lad_code == "E06000063"
    assert abs(cumberland.latitude - workington.latitude) < 0.5
    assert abs(cumberland.longitude - workington.longitude) < 0.7
    assert geo.place_of_buyer("North Yorkshire County Council").lad_code == "E06000065"
    # A former district is placed at its own centre, in the area that replaced it.
    allerdale = geo.place_of_buyer("Allerdale Borough Council")
    assert allerdale.lad_code == "E06000063" and allerdale.lad_name == "Cumberland"
    assert (allerdale.latitude, allerdale.longitude) != (cumberland.latitude, cumberland.longitude)
    # A dissolved county is placed at the centre of its old districts, in its region, with no
    # county code (no area of today carries it).
    cumbria = geo.place_of_buyer("Cumbria County Council")
    assert cumbria.lad_code is None and cumbria.county_code is None
    assert cumbria.region_code == "E12000002" and cumbria.precision == "area"
    assert 54.0 < cumbria.latitude < 55.2
    northants = geo.place_of_buyer("Northamptonshire County Council")
    assert northants.region_code == "E12000004" and northants.latitude is not None
    # Counties that stand are unchanged.
    assert geo.place_of_buyer("Lancashire County Council").county_code == "E47000018"


def test_councils_are_placed_by_the_names_they_go_by(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)

    def lad(name):
        place = geo.place_of_buyer(name)
        return place and place.lad_name

    # Short names of "upon" and "on" areas, and "County Durham" without "County".
    assert lad("Newcastle City Council") == "Newcastle upon Tyne"
    assert lad("Stockton Borough Council") == "Stockton-on-Tees"
    assert lad("Southend City Council") == "Southend-on-Sea"
    assert lad("Durham County Council") == "County Durham"
    assert lad("Hull City Council") == "Kingston upon Hull, City of"
    # Each place of a joined name.
    assert lad("Blackburn Council") == "Blackburn with Darwen"
    assert lad("Poole Borough Council") == "Bournemouth, Christchurch and Poole"
    # The full name still wins, and a short name two areas share is not read.
    assert lad("Newcastle-under-Lyme Borough Council") == "Newcastle-under-Lyme"
    assert lad("Royal Borough of Kingston upon Thames") == "Kingston upon Thames"
    assert geo.place_of_buyer("Kingston Council") is None
    # HTML entities from notices, county abbreviations and joint councils.
    assert lad("Telford &amp; Wrekin Council") == "Telford and Wrekin"
    assert lad("London Borough of Barking &amp; Dagenham") == "Barking and Dagenham"
    assert lad("East Herts Council") == "East Hertfordshire"
    assert geo.place_of_buyer("Lancs County Council").county_code == "E47000018"
    cambridgeshire = geo.place_of_buyer("Cambridgeshire District Councils")
    assert cambridgeshire.county_name == "Cambridgeshire and Peterborough"
    # A misspelt name, when nearly an authority's; not a name merely like one.
    assert lad("Westminister City Council") == "Westminster"
    assert geo.place_of_buyer("Seaton Valley Council") is None
    # Bodies that are councils of no area stay unplaced.
    for name in ("General Medical Council (GMC)", "The Arts Council England", "London Councils"):
        assert geo.place_of_buyer(name) is None


def test_police_forces_and_fire_services_are_placed_in_the_areas_they_serve(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)

    def where(name):
        place = geo.place_of_buyer(name)
        return place and (place.lad_name, place.county_name, place.region_name)

    assert where("Lancashire Constabulary") == (
        None, "Lancashire Combined County Authority", "North West")
    assert where("POLICE & CRIME COMMISSIONER FOR WEST YORKSHIRE") == (
        None, "West Yorkshire", "Yorkshire and The Humber")
    assert where("Greater Manchester Fire and Rescue Service")[1] == "Greater Manchester"
    assert where("North Yorkshire Police, Fire and Crime Commissioner")[0] == "North Yorkshire"
    assert where("City of London Police")[0] == "City of London"
    # Areas no council is named after: by the area that holds them.
    assert where("MERSEYSIDE POLICE AUTHORITY")[1] == "Liverpool City Region"
    assert where("Thames Valley Police") == (None, None, "South East")
    assert where("THE POLICE AND CRIME COMMISSIONER FOR NORTH WALES") == (None, None, "Wales")
    assert geo.place_of_service("Essex Police").county_name == "Essex"
    # How ledgers write them: the chief constable, "PCC", a force and its PCC in one name.
    assert where("The Chief Constable of Hampshire Constabulary")[1] == "Hampshire"
    assert where("Essex County Fire and Rescue Service")[1] == "Essex"
    assert where("PCC for North Wales Police & North Wales Police") == (None, None, "Wales")
    assert where("london fire brigade") == (None, None, "London")
    # Every word but the service's must be the area's: firms, national bodies, a fire station.
    for name in ("NORTH WEST FIRE CONTROL LTD", "Police Digital Service", "DELTA FIRE",
                 "Protec Fire Detection plc", "Police Now Enterprises Limited", "Police",
                 "British Transport Police", "Preston Fire Station",
                 "North West Police Benevolent Fund"):
        assert geo.place_of_buyer(name) is None, name


def test_nhs_bodies_are_placed_in_the_area_their_name_names(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)

    def where(name):
        place = geo.place_of_buyer(name)
        return place and (place.lad_name, place.county_name, place.region_name)

    assert where("BLACKPOOL TEACHING HOSPITALS NHS FOUNDATION TRUST")[0] == "Blackpool"
    # As ledgers shorten them: "Hosp", "Uni", "NHS FT", "NHSFT", a trailing "T".
    assert where("Salford Royal Nhs Foundation Trust")[0] == "Salford"
    assert where("Royal Bolton Hospital NHS")[0] == "Bolton"
    assert where("Nhs Salford Ccg")[0] == "Salford"
    assert where("University Hosp Birmingham NHS FT")[0] == "Birmingham"
    assert where("Liverpool University Hospital Nhs T")[0] == "Liverpool"
    assert where("LANCASHIRE TEACHING NHS HOSPITALS FT") == (
        None, "Lancashire Combined County Authority", "North West")
    assert where("NORTH WEST AMBULANCE SERVICE NHS TRUST") == (None, None, "North West")
    assert where("NHS Isle of Wight Clinical Commissioning Group")[0] == "Isle of Wight"
    # Every word but the body's must be the area's: firms, charities, national bodies, two
    # areas, places that are no area of the reference data, and no "NHS" at all.
    for name in ("NHS Professionals Ltd", "Manchester Uni NHS FT Charity", "NHS SUPPLY CHAIN",
                 "NHS England", "NHS Shared Business Services Ltd (NHS SBS)",
                 "LANCASHIRE & SOUTH CUMBRIA NHS FOUNDATION TRUST", "NHS Central Manchester CCG",
                 "EAST LANCASHIRE HOSPITALS NHS TRUST", "Blackpool Hospital Radio",
                 "Preston Hospital Car Park Ltd"):
        assert geo.place_of_buyer(name) is None, name


def test_a_town_or_parish_council_is_placed_by_its_towns_wards(data_dir, cache_dir):
    geo = GeoReference(data_dir, cache_dir)
    nantwich = geo.place_of_buyer("NANTWICH TOWN COUNCIL")
    assert nantwich.lad_name == "Cheshire East" and nantwich.precision == "area"
    assert nantwich.region_code == "E12000002"
    # Wards, not a district's name: Ashford Town Council is Surrey's (Spelthorne), not Kent's.
    assert geo.place_of_buyer("Ashford Town Council").lad_name == "Spelthorne"
    # Most of the town's wards in one authority: Frome's six in Somerset, one "Frome Vale" in
    # Bristol.
    assert geo.place_of_buyer("Frome Town Council").lad_name == "Somerset"
    # No authority stands out (Broughton: two wards in each of two), or no ward: not placed.
    assert geo.place_of_buyer("Broughton Parish Council") is None
    assert geo.place_of_buyer("Bishop Itchington Parish Council") is None
    # One ward that only begins with the town's name is not the town: "Colne Valley" is in
    # Kirklees, Colne in Pendle (whose wards are named otherwise).
    assert geo.place_of_buyer("Colne Town Council") is None
    # A ward of two villages is named after each: "Heath Charnock and Rivington", Chorley.
    assert geo.place_of_buyer("Heath Charnock Parish Council").lad_name == "Chorley"
