def test_public_pages_render(client):
    for url, text in [("/", "Keep public money in your place"), ("/about", "Co-operatives UK"),
                      ("/tenders/", "Tenders"), ("/suppliers/", "Supplier register"),
                      ("/sign-in", "Sign in"), ("/sign-up", "Create an account")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url


def test_about_page_carries_the_data_attributions(client):
    body = client.get("/about").get_data(as_text=True)
    for attribution in ["Contains OS data © Crown copyright", "Royal Mail",
                        "Open Government Licence v3.0", "Open Data Commons Attribution",
                        "Commission Regulation (EC) No 213/2008"]:
        assert attribution in body


def test_missing_page_is_a_404_page(client):
    response = client.get("/tenders/999999")
    assert response.status_code == 404
    assert "There is no tender numbered 999999." in response.get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404
    # An id too large for the database is no page either, not a driver's overflow.
    huge = 2**31  # the largest PostgreSQL integer and one: SQLite's overflow at 2**63
    for url in (f"/tenders/{huge}", f"/suppliers/{huge}", f"/api/tenders/{huge}/matches",
                f"/api/suppliers/{huge}/opportunities", f"/tenders/{2**63}"):
        assert client.get(url).status_code == 404, url


def test_server_error_page(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_before_db_upgrade_pages_say_the_service_is_not_ready(empty_database_url, app_config):
    from coopmatch import create_app
    from coopmatch.db import upgrade

    def fetch(url):
        app = create_app("test", DATABASE_URL=empty_database_url, **app_config)
        app.config["PROPAGATE_EXCEPTIONS"] = False
        try:
            return app.test_client().get(url)
        finally:
            app.extensions["coopmatch.engine"].dispose()

    page = fetch("/tenders/")
    assert page.status_code == 503
    body = page.get_data(as_text=True)
    assert "This service is not ready yet" in body and "coopmatch db upgrade" in body
    assert "Traceback" not in body and empty_database_url not in body
    api = fetch("/api/tenders/1/matches")
    assert api.status_code == 503 and "coopmatch db upgrade" in api.get_json()["message"]
    # A migration behind: the tender list reads buyers' other names, which 0008 adds.
    upgrade(empty_database_url, "0007")
    assert fetch("/tenders/").status_code == 503
    upgrade(empty_database_url)
    assert fetch("/tenders/").status_code == 200


def test_cpv_picker_api_finds_codes_by_words(client):
    data = client.get("/api/cpv?q=grounds+maintenance").get_json()
    assert data["available"]
    assert data["results"][0]["code"] == "77314000"


def test_sic_picker_api_finds_codes_by_words_and_prefix(client):
    data = client.get("/api/sic?q=cafes").get_json()
    assert data["available"]
    assert data["results"][0] == {"code": "56102",
                                  "description": "Unlicenced restaurants and cafes"}
    assert [r["code"] for r in client.get("/api/sic?q=561&limit=2").get_json()["results"]] == [
        "56101", "56102"]
    assert client.get("/api/sic?q=").get_json()["results"] == []
    assert client.get("/api/sic?q=cafe&limit=lots").status_code == 400


def test_without_reference_data_the_page_says_geography_is_limited(app, client):
    from coopmatch.reference import Reference

    app.extensions["coopmatch.reference"] = Reference.from_settings(None, None)
    body = client.get("/").get_data(as_text=True)
    assert "Full geography (local authorities, distances) needs the reference data" in body


def test_api_asks_visitors_to_sign_in_with_json(client):
    for url in ("/api/gaps", "/api/spend", "/api/imports/1"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.get_json()["error"] == "Unauthorized"


def test_list_filters_that_mean_nothing_are_refused_naming_the_argument(client):
    import html

    for url, field, words in (
        ("/api/tenders?status=bogus", "status", "'bogus' is not a tender status"),
        ("/api/tenders?page=abc", "page", "'page' must be a whole number ('abc' is not)"),
        ("/api/suppliers?page_size=many", "page_size", "'page_size' must be a whole number"),
        ("/api/suppliers?ownership=pirates", "ownership", "'pirates' is not an ownership model"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["field"] == field and words in response.get_json()["message"]
    assert client.get("/api/tenders?status=open&page=1&page_size=5").status_code == 200
    page = client.get("/tenders/?status=bogus")
    assert page.status_code == 400
    assert "'bogus' is not a tender status" in html.unescape(page.get_data(as_text=True))


def test_the_api_lists_its_endpoints_with_their_arguments(client, session):
    body = client.get("/api/").get_json()
    by_path = {e["path"]: e for e in body["endpoints"]}
    matches = by_path["/api/tenders/<int:tender_id>/matches"]
    assert matches["methods"] == ["GET"] and "&local_only=1" in matches["description"]
    assert by_path["/api/gaps"]["signed_in_only"] and not by_path["/api/tenders"]["signed_in_only"]
    assert all(e["description"] for e in body["endpoints"])  # each says what it is for
    # Numbers are numbers there too.
    refused = client.get("/api/cpv?q=meals&limit=lots")
    assert refused.status_code == 400 and refused.get_json()["field"] == "limit"
    assert client.get("/api/cpv/suggest?text=meals&k=x").get_json()["field"] == "k"
    from tests.factories import create_user

    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    assert client.get("/api/spend?year=last").get_json()["field"] == "year"
    assert client.get("/api/spend?anchor=one").get_json()["field"] == "anchor"


def test_the_home_page_points_each_role_to_its_own_next_step(client, session):
    from tests.factories import create_user

    assert "Register your business" in client.get("/").get_data(as_text=True)
    for role, link in (("supplier", "See the tenders that fit you"),
                       ("procurement", "Post a tender"), ("agency", "See the gap reports")):
        user = create_user(session, role=role)
        client.sign_in(user.email)
        page = client.get("/").get_data(as_text=True)
        assert link in page, role
        assert "Register your business" not in page, role
        client.sign_out()


def test_a_tender_lists_its_delivery_regions_with_spaces(client, session, ref):
    from tests.factories import create_organisation, create_tender, create_user

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    tender = create_tender(session, ref, officer, delivery_area="North East,North West,London")
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "North East, North West, London" in page


def test_counts_are_written_in_the_singular_for_one():
    from coopmatch.web.filters import counted

    assert counted(1, "payment") == "1 payment"
    assert counted(0, "payment") == "0 payments"
    assert counted(1234, "row") == "1,234 rows"
    assert counted(2, "body", "bodies") == "2 bodies"
