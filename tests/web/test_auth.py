import html

from sqlmodel import select

from coopmatch.models import User
from tests.factories import PASSWORD, create_organisation, create_supplier, create_user


def test_supplier_signs_up_and_is_sent_to_register_their_business(client, session):
    response = client.post("/sign-up", {
        "role": "supplier", "name": "Ana", "email": "Ana@Example.coop",
        "password": "long enough password", "confirm": "long enough password"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/suppliers/register")
    user = session.exec(select(User)).one()
    assert user.email == "ana@example.coop" and user.role == "supplier" and user.active
    assert user.password_hash != "long enough password"
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_buyer_sign_up_waits_for_approval(client, session, ref):
    council = create_organisation(session, ref)
    response = client.post("/sign-up", {
        "role": "procurement", "name": "Bo", "email": "bo@preston.gov.uk",
        "organisation_id": str(council.id),
        "password": "long enough password", "confirm": "long enough password"})
    assert response.status_code == 200
    assert "administrator will check" in html.unescape(response.get_data(as_text=True))
    assert not session.exec(select(User)).one().active
    refused = client.post("/sign-in", {"email": "bo@preston.gov.uk",
                                       "password": "long enough password"})
    assert refused.status_code == 400
    assert "waiting for an administrator" in refused.get_data(as_text=True)


def test_sign_up_errors_name_each_field_and_store_nothing(client, session):
    response = client.post("/sign-up", {
        "role": "procurement", "name": "", "email": "not-an-email",
        "password": "short", "confirm": "different"})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "There is a problem" in body
    for message in ["Enter your name.", "Enter an email address in the correct format",
                    "at least 10 characters", "The passwords do not match.",
                    "Choose the organisation you work for."]:
        assert message in body
    assert session.exec(select(User)).all() == []


def test_duplicate_email_is_refused(client, session):
    create_user(session, email="taken@example.org")
    response = client.post("/sign-up", {
        "role": "supplier", "name": "X", "email": "TAKEN@example.org",
        "password": "long enough password", "confirm": "long enough password"})
    assert response.status_code == 400
    assert "already exists" in html.unescape(response.get_data(as_text=True))
    assert len(session.exec(select(User)).all()) == 1


def test_sign_in_and_out(client, session):
    create_user(session, role="supplier", email="s@example.org")
    bad = client.post("/sign-in", {"email": "s@example.org", "password": "wrong password"})
    assert bad.status_code == 400
    assert "Enter a correct email address and password." in bad.get_data(as_text=True)
    client.sign_in("s@example.org", PASSWORD)
    assert "Signed in as s@example.org" in client.get("/about").get_data(as_text=True)
    client.sign_out()
    assert "Signed in as" not in client.get("/about").get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(client, session):
    create_user(session, role="supplier", email="s@example.org")
    response = client.post("/sign-in", {"email": "s@example.org", "password": PASSWORD},
                           csrf=False)
    assert response.status_code == 400
    assert "Signed in as" not in client.get("/about").get_data(as_text=True)


def test_next_only_follows_links_on_this_site(client, session):
    create_user(session, role="supplier", email="s@example.org")
    token = client.csrf_token()
    response = client.raw.post("/sign-in?next=https://evil.example/", data={
        "email": "s@example.org", "password": PASSWORD, "csrf_token": token})
    assert "evil.example" not in response.headers["Location"]


def test_the_sign_in_page_is_found_where_people_guess_it(client):
    for guess in ("/login", "/sign-in/"):
        response = client.get(guess)
        assert response.status_code == 301 and response.headers["Location"].endswith("/sign-in")
    response = client.get("/login?next=/gaps/")
    assert response.headers["Location"].endswith("/sign-in?next=/gaps/")
    assert client.get("/sign-in").status_code == 200


def test_each_role_starts_from_its_own_page(client, session, ref):
    """After signing in, a buyer sees its organisation's tenders, a supplier its profile (or
    the form to register one), an agency the gaps in local supply, an admin the accounts."""
    council = create_organisation(session, ref)
    starts = {
        create_user(session, role="procurement", organisation=council).email:
            f"/tenders/?buyer={council.id}&status=",
        create_user(session, role="supplier").email: "/suppliers/register",
        create_user(session, role="agency", organisation=council).email: "/gaps/",
        create_user(session, role="admin").email: "/admin/users",
    }
    owner = create_supplier(session, ref).users[0]
    starts[owner.email] = f"/suppliers/{owner.supplier_id}"
    for email, start in starts.items():
        assert client.sign_in(email).headers["Location"] == "/dashboard"
        assert client.get("/dashboard").headers["Location"] == start, email
        assert client.get(start).status_code == 200, email
        client.sign_out()
