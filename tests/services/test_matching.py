"""Matching through the services: indexes built from the database and kept fresh."""

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from coopmatch.models import Award, SupplierCreate, User
from coopmatch.services import matching, suppliers
from coopmatch.web.matching import match_settings
from tests.factories import create_organisation, create_supplier, create_tender, create_user


def _setup(session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    caterer = create_supplier(
        session, ref, name="Ribble Catering Co-operative", postcode="PR1 3NN",
        description="Worker co-op cooking school meals and care-home catering in Preston.",
        cpv_codes="55523100")
    cleaner = create_supplier(
        session, ref, name="Preston Cleaning Co-operative", postcode="PR1 2HE",
        description="Office, school and communal area cleaning; window cleaning.",
        cpv_codes="90910000")
    far_caterer = create_supplier(
        session, ref, name="Thames School Meals Ltd", postcode="SW1A 1AA", ownership="sme",
        description="Worker co-op cooking school meals and care-home catering in Preston.",
        cpv_codes="55523100")
    tender = create_tender(session, ref, officer, title="School meals for primary schools",
                           description="Hot school meals cooked fresh for 12 primary schools.",
                           cpv_codes="55523100", delivery_postcode="PR1 2HE")
    return tender, caterer, cleaner, far_caterer


def test_right_supplier_first_and_near_before_far(app, session, ref):
    tender, caterer, cleaner, far = _setup(session, ref)
    with app.app_context():
        _, found = matching.matches_for_tender(session, tender_id=tender.id,
                                               search=matching.Search(), ref=ref,
                                               settings=match_settings())
    order = [m.supplier_id for m in found]
    assert order[0] == caterer.id
    assert order.index(caterer.id) < order.index(far.id)  # same words, nearer
    assert {r.kind for r in found[0].reasons} >= {"text", "cpv", "geography"}


def test_local_only_leaves_out_suppliers_elsewhere(app, session, ref):
    tender, caterer, _, far = _setup(session, ref)
    with app.app_context():
        _, found = matching.matches_for_tender(
            session, tender_id=tender.id, search=matching.Search(local_only=True), ref=ref,
            settings=match_settings())
    ids = {m.supplier_id for m in found}
    assert caterer.id in ids and far.id not in ids


def test_a_public_body_ledgers_pay_is_ranked_only_once_it_has_won_work(app, session, ref):
    """Councils the ledgers pay are in the register so that their spend is placed; with no
    work of theirs known, they are not suppliers for a tender, even the nearest."""
    from coopmatch.models import Award, Supplier, User
    from coopmatch.services.geography import apply_place

    tender, caterer, _, _ = _setup(session, ref)
    council = Supplier(name="Chorley Council", normalised_name="chorley",
                       ownership="public_body", source="ledger")
    apply_place(council, ref.geo.place_of_buyer("Chorley Council"))
    session.add(council)
    session.commit()
    with app.app_context():
        settings = match_settings()

        def local_ids():
            _, found = matching.matches_for_tender(
                session, tender_id=tender.id, search=matching.Search(local_only=True),
                ref=ref, settings=settings)
            return [m.supplier_id for m in found]

        assert caterer.id in local_ids() and council.id not in local_ids()
        officer = session.get(User, tender.created_by_id)
        past = create_tender(session, ref, officer, title="School meals service",
                             description="School meals for Chorley's primary schools.",
                             status="awarded")
        session.add(Award(tender_id=past.id, supplier_id=council.id, value=90_000))
        session.commit()
        assert council.id in local_ids()


def test_public_bodies_can_be_left_out_of_a_tenders_suppliers(
        app, client, session, ref, database_url, data_dir, tmp_path):
    """A public body that does the work is ranked (an NHS trust's health services, a council's
    in-house kitchens); an officer looking for firms to buy from can leave public bodies out,
    on the page, in the shortlist, the API and the command line alike."""
    tender, caterer, *_ = _setup(session, ref)
    kitchens = create_supplier(
        session, ref, name="Lancashire County Council School Kitchens", postcode="PR1 8XJ",
        ownership="public_body", cpv_codes="55523100",
        description="The county council's in-house school meals and school kitchens service.")
    with app.app_context():
        def ranked(**search):
            _, found = matching.matches_for_tender(
                session, tender_id=tender.id, search=matching.Search(**search), ref=ref,
                settings=match_settings())
            return [m.supplier_id for m in found]

        assert kitchens.id in ranked() and kitchens.id in ranked(local_only=True)
        without = ranked(without_public_bodies=True)
        assert kitchens.id not in without and caterer.id == without[0]
        assert kitchens.id not in ranked(local_only=True, without_public_bodies=True)
        assert ranked(ownership={"public_body"}) == [kitchens.id]
    url = f"/api/tenders/{tender.id}/matches"
    assert kitchens.id in [m["supplier_id"] for m in client.get(url).get_json()["matches"]]
    api = client.get(f"{url}?without_public_bodies=1").get_json()["matches"]
    assert kitchens.id not in [m["supplier_id"] for m in api] and api
    # Asking for public bodies and leaving them out is refused, naming the switch.
    both = client.get(f"{url}?ownership=public_body&without_public_bodies=1")
    assert both.status_code == 400 and both.get_json()["field"] == "without_public_bodies"
    # The page keeps the box ticked, and the shortlist follows the page.
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "School Kitchens" in page
    assert re.search(r'id="without_public_bodies"[^>]*value="1">', page)  # not ticked
    page = client.get(f"/tenders/{tender.id}?without_public_bodies=1").get_data(as_text=True)
    assert "School Kitchens" not in page and "Ribble Catering Co-operative" in page
    assert re.search(r'id="without_public_bodies"[^>]*value="1" checked>', page)
    refused = client.get(f"/tenders/{tender.id}?ownership=public_body&without_public_bodies=1")
    assert refused.status_code == 400
    assert 'href="#without_public_bodies">Public bodies cannot be both' in refused.get_data(
        as_text=True)
    client.sign_in(session.get(User, tender.created_by_id).email)
    shortlist = client.get(f"/tenders/{tender.id}/shortlist.csv?without_public_bodies=1")
    names = [r["supplier_name"] for r in csv.DictReader(io.StringIO(
        shortlist.get_data(as_text=True)))]
    assert "Ribble Catering Co-operative" in names
    assert not any("School Kitchens" in n for n in names)
    # The command line has the same switch.
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_INDEX_DIR=str(tmp_path / "index"))
    command = [str(Path(sys.executable).with_name("coopmatch")), "match", "--tender",
               str(tender.id), "--format", "jsonl"]
    for extra, listed in (([], True), (["--without-public-bodies"], False)):
        result = subprocess.run([*command, *extra], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        names = [m["supplier_name"] for m in json.loads(result.stdout)["matches"]]
        assert ("Lancashire County Council School Kitchens" in names) is listed, extra
    both = subprocess.run([*command, "--ownership", "public_body", "--without-public-bodies"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert both.returncode == 1 and "cannot be both" in both.stderr, both.stderr


def test_reasons_name_the_area_a_supplier_shares_with_the_tender(app, session, ref):
    tender, caterer, _, _ = _setup(session, ref)
    blackpool = create_supplier(
        session, ref, name="Fylde Coast Catering Co-operative", postcode="FY1 1AD",
        description="Worker co-op cooking school meals.", cpv_codes="55523100")
    with app.app_context():
        _, found = matching.matches_for_tender(
            session, tender_id=tender.id, search=matching.Search(local_only=True), ref=ref,
            settings=match_settings())
    where = {m.supplier_id: next(r.text for r in m.reasons if r.kind == "geography")
             for m in found}
    assert "in the same local authority (Preston)" in where[caterer.id]
    # Blackpool is local to a Preston tender: both are in Lancashire's combined authority.
    assert ("in the same county or combined authority (Lancashire Combined County "
            "Authority)") in where[blackpool.id]


def test_index_is_refreshed_after_a_supplier_edits_its_capabilities(app, session, ref):
    tender, caterer, cleaner, _ = _setup(session, ref)
    with app.app_context():
        settings = match_settings()
        _, before = matching.matches_for_tender(session, tender_id=tender.id,
                                                search=matching.Search(), ref=ref,
                                                settings=settings)
        assert before[0].supplier_id == caterer.id
        owner = cleaner.users[0]
        suppliers.update_supplier(session, user=owner, supplier_id=cleaner.id, ref=ref,
                                  data=SupplierCreate(
                                      name=cleaner.name, postcode="PR1 2HE",
                                      ownership="worker_coop", cpv_codes="55523100",
                                      description="We now cook hot school meals for primary "
                                                  "schools across Preston, fresh every day."))
        _, after = matching.matches_for_tender(session, tender_id=tender.id,
                                               search=matching.Search(), ref=ref,
                                               settings=settings)
    assert after[0].supplier_id == cleaner.id
    assert any("school meals" in " ".join(r.data.get("terms", [])) for r in after[0].reasons)


def test_index_follows_a_merge_and_its_undoing(app, session, ref):
    from coopmatch.services import merges

    tender, caterer, cleaner, far = _setup(session, ref)
    admin = create_user(session, role="admin")
    caterer_id, far_id = caterer.id, far.id
    with app.app_context():
        settings = match_settings()

        def ranked():
            _, found = matching.matches_for_tender(session, tender_id=tender.id,
                                                   search=matching.Search(), ref=ref,
                                                   settings=settings)
            return [m.supplier_id for m in found]

        assert far_id in ranked()
        suppliers.merge_suppliers(session, user=admin, keep_id=caterer_id, other_id=far_id,
                                  ref=ref)
        assert far_id not in ranked()
        (merge,) = merges.recent_merges(session, user=admin)
        merges.undo_merge(session, user=admin, merge_id=merge.id)
        assert ranked().index(caterer_id) < ranked().index(far_id)  # back, and placed again


def test_index_is_saved_and_reloaded_by_a_new_process(app, session, ref):
    tender, caterer, *_ = _setup(session, ref)
    with app.app_context():
        settings = match_settings()
        matching.matches_for_tender(session, tender_id=tender.id, search=matching.Search(),
                                    ref=ref, settings=settings)
        fresh = matching.Indexes(settings, ref)  # as another process would
        index = fresh.supplier_index(session)
    assert (fresh.root / "suppliers.json").exists()
    assert index.size == 3


def test_an_index_that_cannot_be_saved_is_kept_in_memory_with_one_warning(
        app, session, ref, tmp_path, caplog):
    from dataclasses import replace

    tender, caterer, *_ = _setup(session, ref)
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("a file where the index folder should be")
    with app.app_context():
        settings = replace(match_settings(), index_dir=str(not_a_folder))
        indexes = matching.Indexes(settings, ref)
        with caplog.at_level("WARNING", logger="coopmatch.services.matching"):
            first = indexes.supplier_index(session)
            again = indexes.supplier_index(session)  # not rebuilt: the one in memory serves
            indexes.tender_index(session, first)
            indexes.cpv_suggester(session)
        assert first is again and caterer.id in [int(i) for i in first.ids]
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 3, said  # once for each index, not once per match
    assert said[0].startswith(f"The match index cannot be saved in {not_a_folder}/")
    assert "(Not a directory): it is kept in memory" in said[0]


def test_the_open_tender_index_is_saved_kept_through_award_imports_and_drops_passed_deadlines(
        app, session, ref):
    from datetime import date, timedelta

    from coopmatch.models import Award, Tender

    tender, caterer, *_ = _setup(session, ref)
    council = tender.buyer
    passed = Tender(title="School meals for the summer term", description="Hot school meals.",
                    cpv_codes="55523100", status="open", buyer_id=council.id,
                    deadline=date.today() - timedelta(days=1))
    session.add(passed)
    session.commit()
    with app.app_context():
        settings = match_settings()

        def offered():
            _, found = matching.opportunities_for_supplier(
                session, supplier_id=caterer.id, top_k=10, ref=ref, settings=settings)
            return [t.id for _, t in found]

        # Still "open" at its source, but its deadline has passed: no longer an opportunity.
        assert tender.id in offered() and passed.id not in offered()
        assert passed.deadline_passed and not tender.deadline_passed
        indexes = matching.indexes_for(settings, ref)
        built = indexes.tenders
        assert (indexes.root / "tenders.json").exists()
        # Another process loads what was saved rather than building it again.
        fresh = matching.Indexes(settings, ref)
        loaded = fresh.tender_index(session, fresh.supplier_index(session))
        assert loaded is not None and loaded.size == built.size == 1
        # An awarded notice imported (not open) leaves the open tenders as they were: the index
        # is rebuilt only if the supplier index it reads with is refitted.
        before = matching.open_tender_fingerprint(session)
        assert offered() and indexes.tenders is built
        old = Tender(title="Grounds maintenance 2019", description="Grass cutting.",
                     cpv_codes="77314000", status="awarded", buyer_id=council.id)
        session.add(old)
        session.flush()
        session.add(Award(tender_id=old.id, supplier_id=caterer.id, value=5000.0))
        session.commit()
        assert matching.open_tender_fingerprint(session) == before
        assert offered() and indexes.tenders_meta["fingerprint"] == before


def test_a_posted_edited_or_closed_tender_is_folded_into_the_open_tender_index(
        app, session, ref):
    from coopmatch.models import TenderCreate
    from coopmatch.services import tenders

    tender, caterer, cleaner, _ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    for n in range(20):  # enough open tenders that a few changes do not call for a refit
        create_tender(session, ref, officer, title=f"Cleaning of council depot {n}",
                      description="Office, depot and window cleaning for the council.")
    with app.app_context():
        settings = match_settings()
        indexes = matching.indexes_for(settings, ref)

        def offered(supplier, top_k=2):
            _, found = matching.opportunities_for_supplier(
                session, supplier_id=supplier.id, top_k=top_k, ref=ref, settings=settings)
            return [t.id for _, t in found]

        assert tender.id in offered(caterer)
        built, fit = indexes.tenders, indexes.tenders.text.fit_id
        # In words the open tenders already use (a new word would call for a refit).
        posted = create_tender(session, ref, officer, title="Hot school meals for schools",
                               description="School meals cooked fresh for primary schools.",
                               cpv_codes="55523100")
        assert set(offered(caterer)[:2]) == {tender.id, posted.id}
        assert indexes.tenders is built and built.text.fit_id == fit and built.appended == 1
        # Saved as updated: another process loads it, not refits it.
        assert matching.Indexes(settings, ref).tender_index(
            session, indexes.supplier_index(session)).size == built.size == 22

        data = TenderCreate(title="Window cleaning of the council depot",
                            description="Window cleaning for the council's depot.",
                            cpv_codes="90911300", value=50000.0, status="open")
        tenders.update_tender(session, user=officer, tender_id=posted.id, data=data, ref=ref)
        assert posted.id not in offered(caterer)
        for_cleaner = offered(cleaner, top_k=30)
        assert for_cleaner.index(posted.id) < for_cleaner.index(tender.id)
        tenders.close_tender(session, user=officer, tender_id=tender.id)
        assert tender.id not in offered(caterer, top_k=30)
        assert indexes.tenders is built and built.text.fit_id == fit and built.size == 21
        assert (built.appended, built.removed) == (2, 1)
        # A process that starts after more changes loads the saved index and folds them in.
        more = create_tender(session, ref, officer, title="Hot school meals for primary schools",
                             description="School meals cooked fresh.", cpv_codes="55523100")
        later = matching.Indexes(settings, ref)
        folded = later.tender_index(session, later.supplier_index(session))
        assert folded.text.fit_id == fit and folded.size == 22 and folded.appended == 3
        assert more.id in set(folded.tender_ids.tolist())


def test_a_deadline_passing_overnight_drops_its_tender_without_a_refit(
        app, session, ref, monkeypatch):
    from datetime import date, timedelta

    tender, caterer, *_ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    today = date.today()
    last_day = create_tender(session, ref, officer, title="School meals for schools",
                             description="Hot school meals for primary schools.",
                             deadline=today)
    for n in range(10):
        create_tender(session, ref, officer, title=f"Cleaning of council depot {n}",
                      deadline=today + timedelta(days=30))
    with app.app_context():
        settings = match_settings()
        indexes = matching.indexes_for(settings, ref)

        def offered():
            _, found = matching.opportunities_for_supplier(
                session, supplier_id=caterer.id, top_k=20, ref=ref, settings=settings)
            return [t.id for _, t in found]

        assert last_day.id in offered()
        built = indexes.tenders

        class Tomorrow(date):
            @classmethod
            def today(cls):
                return today + timedelta(days=1)

        monkeypatch.setattr(matching, "date", Tomorrow)
        assert last_day.id not in offered() and tender.id in offered()
        assert indexes.tenders is built and built.removed == 1
        assert indexes.tenders_meta["fingerprint"]["day"] == (today + timedelta(days=1)).isoformat()
        monkeypatch.setattr(matching, "date", type("DayAfter", (date,), {
            "today": classmethod(lambda cls: today + timedelta(days=2))}))
        assert tender.id in offered() and indexes.tenders is built  # nothing closed: kept


def test_api_matches_opportunities_and_suggestions(client, session, ref):
    tender, caterer, *_ = _setup(session, ref)
    body = client.get(f"/api/tenders/{tender.id}/matches?top=2").get_json()
    assert body["tender_id"] == tender.id and len(body["matches"]) == 2
    first = body["matches"][0]
    assert first["supplier_id"] == caterer.id and first["capable"] is True
    assert first["supplier_name"] == "Ribble Catering Co-operative"
    assert first["reasons"] and {"kind", "text"} <= set(first["reasons"][0])
    opportunities = client.get(f"/api/suppliers/{caterer.id}/opportunities").get_json()
    assert opportunities["opportunities"][0]["tender_id"] == tender.id
    # The supplier sees the score and reasons the buyer sees for the same pair.
    seen = opportunities["opportunities"][0]
    assert (seen["score"], seen["reasons"]) == (first["score"], first["reasons"])
    suggestions = client.get("/api/cpv/suggest?text=hot+school+meals").get_json()["suggestions"]
    assert "15894210" in [s["code"] for s in suggestions[:3]]
    assert all(isinstance(s["likely"], bool) for s in suggestions)
    plain = client.get("/api/cpv/suggest?text=grounds+maintenance").get_json()["suggestions"]
    assert [(s["code"], s["likely"]) for s in plain[:2]] == [
        ("77314000", True), (plain[1]["code"], False)]


def test_a_search_that_cannot_mean_anything_is_refused_naming_its_field(app, client, session,
                                                                        ref):
    import html

    import pytest

    from coopmatch.errors import CoopmatchError

    tender, caterer, *_ = _setup(session, ref)
    url = f"/api/tenders/{tender.id}/matches"
    for query, field, words in (
        ("area=E1000OO17", "area", "No area is called 'E1000OO17'"),
        ("radius_km=-5", "radius_km", "more than 0"),
        ("radius_km=ten", "radius_km", "'radius_km' must be a number ('ten' is not)"),
        ("top=lots", "top", "'top' must be a whole number"),
        ("ownership=pirate_ship", "ownership", "'pirate_ship' is not an ownership model"),
        ("local_only=maybe", "local_only", "'local_only' must be 1 or 0 ('maybe' is neither)"),
        ("prefer_social=2", "prefer_social", "'prefer_social' must be 1 or 0"),
        ("without_public_bodies=perhaps", "without_public_bodies",
         "'without_public_bodies' must be 1 or 0"),
    ):
        refused = client.get(f"{url}?{query}")
        assert refused.status_code == 400, query
        body = refused.get_json()
        assert body["field"] == field and words in body["message"], query
    opportunities = client.get(f"/api/suppliers/{caterer.id}/opportunities?top=x")
    assert opportunities.status_code == 400 and opportunities.get_json()["field"] == "top"
    # A checkbox's "on", or "true" in any case, is yes; "0" and "false" are no.
    local = client.get(f"{url}?local_only=on").get_json()["matches"]
    assert client.get(f"{url}?local_only=TRUE").get_json()["matches"] == local
    assert client.get(f"{url}?local_only=false").get_json() == client.get(url).get_json()
    # Good values still narrow the list: a known area, a radius, lower-case codes.
    near = client.get(f"{url}?area=e07000123&radius_km=10").get_json()["matches"]
    assert [m["supplier_id"] for m in near][:1] == [caterer.id]
    # ... and an area by its name, in any case, is the same area as its code.
    named = client.get(f"{url}?area=preston&radius_km=10").get_json()["matches"]
    assert named == near
    # On the tender page the mistake is shown at the field, and the tender is still there.
    page = client.get(f"/tenders/{tender.id}?area=E1000OO17")
    assert page.status_code == 400
    text = html.unescape(page.get_data(as_text=True))
    assert "School meals for primary schools" in text and "There is a problem" in text
    assert 'id="match-area-error"' in text and 'value="E1000OO17"' in text
    assert "No supplier in the register fits" not in text
    with app.app_context():
        with pytest.raises(CoopmatchError, match="No area is called"):
            matching.matches_for_all(session, search=matching.Search(area="E99999999"),
                                     ref=ref, settings=match_settings())


def test_pages_show_matches_and_opportunities(client, session, ref):
    tender, caterer, cleaner, _ = _setup(session, ref)
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert "Suppliers who could deliver this" in page and "Ribble Catering Co-operative" in page
    # The cleaner is listed (it is near and says "school") but marked as the loose fit it is;
    # the caterers are not.
    rows = {
        name: row
        for row in page.split("<tr>")[2:]
        for name in ("Ribble Catering", "Preston Cleaning", "Thames School Meals")
        if name in row
    }
    assert "Loose fit" in rows["Preston Cleaning"]
    assert "Loose fit" not in rows["Ribble Catering"] + rows["Thames School Meals"]
    assert "fits this work closely yet" not in page
    owner = caterer.users[0]
    client.sign_in(owner.email)
    page = client.get(f"/suppliers/{caterer.id}").get_data(as_text=True)
    assert "Opportunities for you" in page and "School meals for primary schools" in page
    assert "Loose fit" not in page and "No open tender fits your work closely" not in page
    client.sign_out()
    # The cleaner's only open tender is school meals: shown, but as the loose fit it is.
    client.sign_in(cleaner.users[0].email)
    page = client.get(f"/suppliers/{cleaner.id}").get_data(as_text=True)
    assert "School meals for primary schools" in page and "Loose fit" in page
    assert "No open tender fits your work closely yet; these are the nearest." in page


def test_a_buyer_downloads_the_matches_as_a_shortlist_with_the_page_filters(client, session,
                                                                             ref):
    import csv
    import io

    tender, caterer, cleaner, far = _setup(session, ref)
    caterer.contact_email, caterer.website = "hello@ribble.coop", "https://ribble.coop"
    session.add(caterer)
    session.commit()
    url = f"/tenders/{tender.id}/shortlist.csv?local_only=1"
    assert client.get(url).status_code == 302  # visitors are asked to sign in
    client.sign_in(caterer.users[0].email)
    assert client.get(url).status_code == 403  # a supplier does not shortlist its rivals
    client.sign_out()
    from coopmatch.models import User

    client.sign_in(session.get(User, tender.created_by_id).email)
    page = client.get(f"/tenders/{tender.id}?local_only=1").get_data(as_text=True)
    assert f"/tenders/{tender.id}/shortlist.csv?local_only=1" in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # The page's list with its filter: local only, so the London caterer is not on it.
    names = [r["supplier_name"] for r in rows]
    assert names[0] == "Ribble Catering Co-operative" and "Thames School Meals Ltd" not in names
    first = rows[0]
    assert (first["rank"], first["fit"], first["contact_email"]) == (
        "1", "capable", "hello@ribble.coop")
    assert first["local_authority"] == "Preston" and "Works under" in first["reasons"]
    assert next(r for r in rows if r["supplier_id"] == str(cleaner.id))["fit"] == "loose fit"
    # A refused filter downloads nothing: back to the page, which says why at the field.
    refused = client.get(f"/tenders/{tender.id}/shortlist.csv?area=Narnia")
    assert refused.status_code == 302
    assert refused.headers["Location"] == f"/tenders/{tender.id}?area=Narnia"
    page = client.get(refused.headers["Location"])
    assert page.status_code == 400
    assert "No shortlist downloaded" in page.get_data(as_text=True)


def test_a_firm_the_register_lists_twice_is_marked_where_it_is_ranked_again(
        client, session, ref, database_url, data_dir, tmp_path):
    tender, caterer, *_ = _setup(session, ref)
    again = create_supplier(  # as an award notice might spell it, with no address
        session, ref, name="Ribble Catering Cooperative Ltd", postcode="",
        description="Worker co-op cooking school meals and care-home catering in Preston.",
        cpv_codes="55523100")
    listed = client.get(f"/api/tenders/{tender.id}/matches?top=10").get_json()["matches"]
    same = {m["supplier_id"]: m["same_firm_as"] for m in listed}
    assert same[again.id] == caterer.id
    assert [i for i, first in same.items() if first is not None] == [again.id]
    ranks = {m["supplier_id"]: rank for rank, m in enumerate(listed, start=1)}
    page = html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True))
    note = (f"Probably the same firm as Ribble Catering Co-operative, ranked "
            f"{ranks[caterer.id]}: the register lists it twice.")
    assert page.count(note) == 1
    row = next(r for r in page.split("<tr>") if "Ribble Catering Cooperative Ltd" in r)
    assert note in row and "Merge duplicates" not in page  # only administrators merge
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    assert 'href="/admin/duplicates">Merge duplicates</a>' in page
    # The shortlist says so too, so the firm is invited once.
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/tenders/{tender.id}/shortlist.csv").get_data(as_text=True))))
    marked = {r["supplier_name"]: r["same_firm_as_rank"] for r in rows if r["same_firm_as_rank"]}
    assert marked == {"Ribble Catering Cooperative Ltd": str(ranks[caterer.id])}
    # The command line says so too: in jsonl as the API does, in the table by rank.
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_INDEX_DIR=str(tmp_path / "index"))
    command = [str(Path(sys.executable).with_name("coopmatch")), "match", "--tender",
               str(tender.id), "--top", "10"]
    jsonl = subprocess.run([*command, "--format", "jsonl"], env=env, capture_output=True,
                           text=True, timeout=300)
    assert {m["supplier_id"]: m["same_firm_as"] for m in
            json.loads(jsonl.stdout)["matches"]} == same, jsonl.stderr
    table = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    line = next(line for line in table.stdout.splitlines()
                if "Ribble Catering Cooperative Ltd" in line)
    assert line.endswith(f"(probably the same firm as no. {ranks[caterer.id]})"), table.stdout
    # Judged to be two by an administrator, neither is marked again.
    from coopmatch.services import distinct

    distinct.mark_distinct(session, user=admin, kind="supplier", first_id=caterer.id,
                           second_id=again.id)
    listed = client.get(f"/api/tenders/{tender.id}/matches?top=10").get_json()["matches"]
    assert [m["same_firm_as"] for m in listed] == [None] * len(listed)
    assert "Probably the same firm" not in client.get(f"/tenders/{tender.id}").get_data(
        as_text=True)


def test_bodies_of_one_title_for_two_places_are_not_marked_as_one_firm(client, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    tender = create_tender(session, ref, officer, title="Custody healthcare services",
                           description="Healthcare in police custody suites.",
                           cpv_codes="85100000")
    for name in ("Police and Crime Commissioner for Bedfordshire",
                 "Police and Crime Commissioner for Hertfordshire",
                 "Police & Crime Commisioner for Bedfordshire"):  # a typo: the same body
        create_supplier(session, ref, name=name, postcode="", ownership="public_body",
                        description="Healthcare in police custody suites.",
                        cpv_codes="85100000")
    listed = client.get(f"/api/tenders/{tender.id}/matches").get_json()["matches"]
    # Bedfordshire's two spellings point, the lower to the higher; Hertfordshire's to none.
    bedfordshire = [m for m in listed if m["supplier_name"].endswith("Bedfordshire")]
    assert [m["same_firm_as"] for m in bedfordshire] == [None, bedfordshire[0]["supplier_id"]]
    (hertfordshire,) = [m for m in listed if m["supplier_name"].endswith("Hertfordshire")]
    assert hertfordshire["same_firm_as"] is None


def test_a_supplier_sees_how_it_fits_a_tender_as_the_buyer_sees_it(client, session, ref):
    tender, caterer, cleaner, _ = _setup(session, ref)
    listed = {m["supplier_id"]: m for m in
              client.get(f"/api/tenders/{tender.id}/matches?top=10").get_json()["matches"]}
    client.sign_in(cleaner.users[0].email)
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    own = page.split('id="own-fit-heading"')[1].split("</section>")[0]
    # The cleaner sees its own score and reasons, as the buyer's list gives them.
    assert "Loose fit" in own and f"Score {listed[cleaner.id]['score']:.2f}" in own
    rank = list(listed).index(cleaner.id) + 1
    assert f"{rank}{'rd' if rank == 3 else 'nd' if rank == 2 else 'th'} in the list below" in own
    for reason in listed[cleaner.id]["reasons"]:
        assert html.escape(reason["text"], quote=True).replace("&#x27;", "&#39;") in own
    client.sign_out()
    client.sign_in(caterer.users[0].email)
    assert "A close fit" in client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    client.sign_out()  # visitors and buyers see no such panel
    assert 'id="own-fit-heading"' not in client.get(f"/tenders/{tender.id}").get_data(
        as_text=True)


def test_match_cli_jsonl(app, session, ref, database_url, data_dir, tmp_path):
    tender, caterer, cleaner, _ = _setup(session, ref)
    _ledgers_pay(session, tender.buyer, caterer, cleaner)
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_INDEX_DIR=str(tmp_path / "index"))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("coopmatch")), "match", "--all", "--top", "2",
         "--format", "jsonl"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    row = json.loads(line)
    assert set(row) == {"tender_id", "ocid", "title", "matches"}
    assert row["tender_id"] == tender.id
    assert row["matches"][0]["supplier_name"] == "Ribble Catering Co-operative"
    assert {"supplier_id", "supplier_name", "score", "distance_km", "reasons"} <= set(
        row["matches"][0])
    # Whoever runs the command line may read the buyer's ledgers.
    assert PAID in [r["text"] for r in row["matches"][0]["reasons"]]
    table = subprocess.run(
        [str(Path(sys.executable).with_name("coopmatch")), "match", "--tender", str(tender.id),
         "--local-only"], env=env, capture_output=True, text=True, timeout=300)
    assert "Ribble Catering Co-operative" in table.stdout
    assert "Thames School Meals" not in table.stdout
    # The table marks fit as the pages do: the cleaner is near, but a loose fit.
    def line_of(name):
        return next(line for line in table.stdout.splitlines() if name in line)

    assert line_of("Preston Cleaning Co-operative").endswith("(loose fit)")
    assert not line_of("Ribble Catering Co-operative").endswith("(loose fit)")
    # A wrong area code or tender number is a one-line error, not a traceback.
    for args, words in ((["--all", "--area", "e99999999"], "No area is called 'e99999999'"),
                        (["--tender", "999999"], "There is no tender numbered 999999.")):
        refused = subprocess.run([str(Path(sys.executable).with_name("coopmatch")), "match",
                                  *args], env=env, capture_output=True, text=True, timeout=300)
        assert refused.returncode == 1 and words in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr and not refused.stdout
    # A number too large to be any tender's is refused as an argument (the driver overflowed).
    huge = subprocess.run([str(Path(sys.executable).with_name("coopmatch")), "match", "--tender",
                           str(2**63)], env=env, capture_output=True, text=True, timeout=300)
    assert huge.returncode == 2 and "Invalid value for '--tender'" in huge.stderr, huge.stderr
    assert "Traceback" not in huge.stderr


def test_profiles_size_a_contract_by_its_award_value_else_its_notice_value(session, ref):
    from coopmatch.models import Award

    tender, caterer, cleaner, _ = _setup(session, ref)  # the notice is worth £120,000
    session.add(Award(tender_id=tender.id, supplier_id=caterer.id))  # no value of its own
    session.add(Award(tender_id=tender.id, supplier_id=cleaner.id, value=30_000))
    session.commit()
    profiles = {p.id: p for p in matching.supplier_profiles(session)}
    assert profiles[caterer.id].largest_won_gbp == 120_000
    assert profiles[cleaner.id].largest_won_gbp == 30_000


def test_a_dynamic_purchasing_system_is_matched_as_a_framework(app, session, ref):
    tender, caterer, _, _ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    dps = create_tender(session, ref, officer, title="School meals dynamic purchasing system",
                        description="Hot school meals for primary schools.",
                        cpv_codes="55523100", value=140_000_000, delivery_postcode="PR1 2HE")
    with app.app_context():
        _, found = matching.matches_for_tender(session, tender_id=dps.id,
                                               search=matching.Search(), ref=ref,
                                               settings=match_settings())
    size = next(r for r in found[0].reasons if r.kind == "capacity")
    assert size.data["framework"] is True
    assert not any(m.capable_but_too_small for m in found)


def test_how_the_officer_says_a_tender_is_let_decides_over_its_words(app, session, ref):
    tender, _, _, _ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    meals = {"description": "Hot school meals for primary schools.", "cpv_codes": "55523100",
             "value": 140_000_000, "delivery_postcode": "PR1 2HE"}
    dps = create_tender(session, ref, officer, title="School meals 2027", arrangement="dps",
                        **meals)
    call_off = create_tender(session, ref, officer, title="School meals framework lot 2",
                             arrangement="call_off", **meals)
    sizes = {}
    with app.app_context():
        for tender in (dps, call_off):
            _, found = matching.matches_for_tender(session, tender_id=tender.id,
                                                   search=matching.Search(), ref=ref,
                                                   settings=match_settings())
            sizes[tender.id] = next(r for r in found[0].reasons if r.kind == "capacity").data
    # Nothing in its words says DPS, but the officer did: size is not weighed.
    assert sizes[dps.id]["dps"] is True
    # Its title says framework, but the officer says it is a call-off: one £140m contract.
    assert not sizes[call_off.id].get("framework") and not sizes[call_off.id].get("dps")


def _caterer_first_terms(app, session, ref, **tender_fields) -> list[str]:
    """Post a tender from _setup's council; return the shared key terms of its first match,
    which must be the catering co-op (whose statement is "Worker co-op cooking school meals
    and care-home catering in Preston")."""
    tender, caterer, _, _ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    other = create_tender(session, ref, officer, **tender_fields)
    with app.app_context():
        _, found = matching.matches_for_tender(session, tender_id=other.id,
                                               search=matching.Search(), ref=ref,
                                               settings=match_settings())
    assert found[0].supplier_id == caterer.id
    return next(r for r in found[0].reasons if r.kind == "text").data["terms"]


def test_place_names_count_but_are_not_shown_as_shared_key_terms(app, session, ref):
    terms = _caterer_first_terms(app, session, ref, title="Care-home catering in Preston",
                                 description="Catering for Preston care homes.",
                                 cpv_codes="55523100")
    assert any("catering" in t for t in terms)
    assert not [t for t in terms if "preston" in t]


def test_a_tender_nobody_fits_closely_says_so(client, session, ref):
    _setup(session, ref)
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    vans = create_tender(session, ref, officer, title="Electric refuse collection vehicles",
                         description="Six 26-tonne electric refuse collection vehicles.",
                         cpv_codes="34144510", delivery_postcode="PR1 2HE")
    page = client.get(f"/tenders/{vans.id}").get_data(as_text=True)
    # Nothing any supplier says or has done is about vehicles: each is listed for its place
    # and size alone, and marked so.
    assert "No supplier is known to do this work yet" in page
    assert page.count("No sign of this work") == page.count('<td class="numeric score">') > 0
    assert "Loose fit" not in page
    # Where one supplier does the work, the others are still marked as listed for place alone.
    valeting = create_tender(session, ref, officer, title="Cleaning of council vehicles",
                             description="Valeting and cleaning the council's vans and cars.",
                             cpv_codes="50112300", delivery_postcode="PR1 2HE")
    page = client.get(f"/tenders/{valeting.id}").get_data(as_text=True)
    assert "is known to do this work yet" not in page
    rows = {name: row for row in page.split("<tr>")[2:]
            for name in ("Preston Cleaning", "Ribble Catering") if name in row}
    assert "No sign of this work" not in rows["Preston Cleaning"]
    assert "No sign of this work" in rows["Ribble Catering"]
    # ...and in a table of their own below those who do it.
    main, _, rest = page.partition('id="other-suppliers"')
    assert "Preston Cleaning" in main and "Ribble Catering" not in main
    assert "Ribble Catering" in rest and "Preston Cleaning" not in rest
    # A tender nobody fits has one table, not an empty one and a second.
    assert 'id="other-suppliers"' not in client.get(f"/tenders/{vans.id}").get_data(as_text=True)


def test_suppliers_listed_for_place_alone_follow_the_others_and_ranks_read_down_the_page(
        client, session, ref):
    tender, *_ = _setup(session, ref)
    officer = session.get(User, tender.created_by_id)
    # A van dealer next door that the council buys from often, and a far stationer that only
    # mentions schools and can take small contracts: by score the dealer is above the stationer.
    dealer = create_supplier(session, ref, name="Preston Vans Ltd", postcode="PR1 2HE",
                             description="Van dealer: vans, servicing and parts.",
                             cpv_codes="34136000")
    for i in range(8):
        past = create_tender(session, ref, officer, title=f"Supply of electric vans {i}",
                             description="Electric vans for the council fleet.",
                             status="awarded", cpv_codes="34136000")
        session.add(Award(tender_id=past.id, supplier_id=dealer.id, value=900_000))
    session.commit()
    create_supplier(session, ref, name="Thames Office Supplies Ltd", postcode="TR1 2HE",
                    description="Office stationery, toner, paper, envelopes, printing and "
                                "binding; also for school offices.",
                    cpv_codes="30192000", max_contract_value=5_000)
    listed = client.get(f"/api/tenders/{tender.id}/matches?top=10").get_json()["matches"]
    by_score = [m["supplier_name"] for m in listed]
    assert by_score.index("Preston Vans Ltd") < by_score.index("Thames Office Supplies Ltd")
    assert not next(m for m in listed if m["supplier_name"] == "Preston Vans Ltd")["fits_work"]
    # On the page the dealer, with no sign of the work, follows every supplier that shows it,
    # and the ranks read 1, 2, 3 down the page rather than skipping its place.
    page = html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True))
    main, _, rest = page.partition('id="other-suppliers"')
    assert "Thames Office Supplies Ltd" in main and "Preston Vans Ltd" in rest
    ranks = re.findall(r'<td class="numeric">(\d+)</td>\s*<td><a[^>]*>([^<]+)</a>', page)
    assert [int(rank) for rank, _ in ranks] == list(range(1, len(listed) + 1))
    assert ranks[-1][1] == "Preston Vans Ltd"
    # The shortlist the officer downloads ranks them the same.
    client.sign_in(officer.email)
    shortlist = csv.DictReader(io.StringIO(
        client.get(f"/tenders/{tender.id}/shortlist.csv").get_data(as_text=True)))
    assert [(r["rank"], r["supplier_name"]) for r in shortlist] == ranks


def test_a_supplier_page_marks_a_tender_it_may_be_too_small_for(client, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    owner = create_user(session, role="supplier")
    caterer = create_supplier(
        session, ref, user=owner, name="Ribble Catering Co-operative", postcode="PR1 3NN",
        description="Worker co-op cooking school meals for primary schools in Preston.",
        cpv_codes="55523100", max_contract_value=100_000)
    tender = create_tender(session, ref, officer, title="School meals for primary schools",
                           description="Hot school meals cooked fresh for 12 primary schools.",
                           cpv_codes="55523100", delivery_postcode="PR1 2HE", value=2_000_000)
    tender_page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    own_page = client.get(f"/suppliers/{caterer.id}").get_data(as_text=True)
    for page in (tender_page, own_page):
        assert "Capable, but may be too small" in page


def test_supplier_page_keeps_tenders_that_fit_its_work_apart_from_the_rest(client, session,
                                                                           ref):
    tender, caterer, *_ = _setup(session, ref)
    officer = create_user(session, role="procurement", organisation=tender.buyer)
    solar = create_tender(session, ref, officer, title="Solar panels on the town hall roof",
                          description="Supply and fit photovoltaic panels and inverters.",
                          cpv_codes="09331200", delivery_postcode="PR1 2HE")
    body = client.get(f"/suppliers/{caterer.id}").get_data(as_text=True)
    fitting, _, rest = body.partition('id="other-open-tenders"')
    assert tender.title in fitting and solar.title not in fitting
    assert solar.title in rest and "Nothing in its profile or contracts matches these" in rest
    found = client.get(f"/api/suppliers/{caterer.id}/opportunities").get_json()["opportunities"]
    assert {o["tender_id"]: o["fits_work"] for o in found} == {tender.id: True, solar.id: False}


def test_refreshing_the_indexes_fits_and_saves_the_cpv_suggester(app, session, ref):
    with app.app_context():
        settings = match_settings()
        indexes = matching.indexes_for(settings, ref)
        create_supplier(session, ref, name="Ribble Catering Co-operative", postcode="PR1 3NN",
                        description="School meals.", cpv_codes="55523100")
        matching.refresh_indexes(session, settings, ref)
        assert indexes.suggester is None  # no notices yet to learn from: it waits for them
        _setup(session, ref)
        matching.refresh_indexes(session, settings, ref)
        # The first suggestion in a form then answers at once, in this process or another.
        assert indexes.suggester is not None
        assert (indexes.root / "cpv-suggester.json").exists()
        fresh = matching.Indexes(settings, ref)
        assert fresh.cpv_suggester(session).suggest("school meals", 3) == \
            indexes.suggester.suggest("school meals", 3)


def test_a_co_op_written_apart_is_the_same_words_as_co_op(app, session, ref):
    terms = _caterer_first_terms(app, session, ref, title="Worker co op cafe",
                                 description="A worker co op cooking in the town hall cafe.",
                                 delivery_postcode="PR1 2HE")
    assert terms == ["worker co op", "co op cooking"]  # as this tender writes them


def test_a_supplier_known_by_its_sic_code_fits_by_it(app, client, session, ref):
    # A co-op that gives SIC codes and no CPV code (as Co-operatives UK's data does) is matched
    # by its sector through the reference data's CPV-SIC bridge, on the buyer's page and on its
    # own dashboard.
    tender, caterer, cleaner, _ = _setup(session, ref)
    words = "Community kitchen run by its members."
    cafe = create_supplier(session, ref, name="Avenham Kitchen Co-operative", postcode="PR1 3NN",
                           description=words, cpv_codes="", sic_codes="56102")
    plain = create_supplier(session, ref, name="Avenham Kitchen Co-operative", postcode="PR1 3NN",
                            description=words, cpv_codes="")
    with app.app_context():
        _, found = matching.matches_for_tender(session, tender_id=tender.id,
                                               search=matching.Search(top_k=20), ref=ref,
                                               settings=match_settings())
    by_id = {m.supplier_id: m for m in found}
    assert [r.data["sic_code"] for r in by_id[cafe.id].reasons if r.kind == "sic"] == ["56102"]
    assert by_id[cafe.id].score > by_id[plain.id].score
    assert not any(r.kind == "sic" for r in by_id[plain.id].reasons)
    page = client.get(f"/tenders/{tender.id}").get_data(as_text=True)
    # The reference data names the code and its division.
    assert ("Its SIC code 56102, Unlicenced restaurants and cafes, is in a sector that the "
            "tender&#39;s CPV codes belong to (division 56, Food and beverage service "
            "activities: a broad CPV-SIC link).") in page
    client.sign_in(cafe.users[0].email)
    page = client.get(f"/suppliers/{cafe.id}").get_data(as_text=True)
    assert "School meals for primary schools" in page and "Its SIC code 56102, " in page
    assert "<div>56102 Unlicenced restaurants and cafes</div>" in page  # its profile


def test_an_imported_notice_without_a_deadline_goes_out_of_date(app, client, session, ref):
    """An imported notice open or planned at its source with no deadline is offered until its
    contract was due to start or, giving no start, for a year after it was published; then
    it is most likely let or dropped, and its page says so. A tender posted here stays."""
    from datetime import date, timedelta

    from coopmatch.models import Tender

    tender, caterer, *_ = _setup(session, ref)
    today, council = date.today(), tender.buyer

    def notice(title, **fields):
        found = Tender(title=title, description="Hot school meals.", cpv_codes="55523100",
                       status="planned", buyer_id=council.id, source="contracts_finder",
                       **fields)
        session.add(found)
        return found

    started = notice("School meals: market engagement", contract_start=today - timedelta(1))
    starting = notice("School meals: next year's", contract_start=today + timedelta(30),
                      published_date=today - timedelta(days=800))
    old = notice("School meals: early notice", published_date=today - timedelta(days=400))
    recent = notice("School meals: this spring", published_date=today - timedelta(days=100))
    undated = notice("School meals: undated notice")
    tender.deadline, tender.published_date = None, today - timedelta(days=800)  # posted here
    session.add(tender)
    session.commit()
    with app.app_context():
        _, found = matching.opportunities_for_supplier(
            session, supplier_id=caterer.id, top_k=20, ref=ref, settings=match_settings())
    offered = {t.id for _, t in found}
    assert offered >= {starting.id, recent.id, undated.id, tender.id}
    assert not offered & {started.id, old.id}
    assert [t.out_of_date for t in (started, old, starting, recent, undated, tender)] == [
        True, True, False, False, False, False]
    page = html.unescape(client.get(f"/tenders/{started.id}").get_data(as_text=True))
    assert "Out of date" in page
    assert (f"Planned at its source, but it gives no deadline and its contract was due to start"
            f" on {(today - timedelta(1)).day}") in page
    page = html.unescape(client.get(f"/tenders/{old.id}").get_data(as_text=True))
    assert "over a year ago: it has most likely been let or dropped since" in page
    assert "Out of date" not in client.get(f"/tenders/{recent.id}").get_data(as_text=True)
    listed = client.get("/api/tenders?status=planned").get_json()["tenders"]
    assert {t["title"] for t in listed if t["out_of_date"]} == {started.title, old.title}


def test_one_shared_word_is_no_sign_of_another_divisions_work_for_a_newcomer(app, client,
                                                                            session, ref):
    """A new cleaning co-op (no contracts, cleaning codes) shares only "school" with a school
    bus service: the CPV vocabulary never uses "school" for transport, and it is not the
    co-op's own work, so the bus service is no sign of its work. The same word is a sign for
    school meals (the vocabulary's School-meal services), and "cleaning", its own work, for
    cleaning the council's vans (division 50)."""
    tender, caterer, cleaner, _ = _setup(session, ref)
    officer = session.get(User, tender.created_by_id)
    newcomer = create_supplier(session, ref, name="Green Clean Workers Co-operative",
                               postcode="PR1 3NN", cpv_codes="90919300 90910000",
                               description="School cleaning, office cleaning and window "
                                           "cleaning across Preston.")
    buses = create_tender(session, ref, officer, title="School bus services",
                          description="Home to school bus routes for pupils.",
                          cpv_codes="60112000", delivery_postcode="PR1 2HE")
    vans = create_tender(session, ref, officer, title="Cleaning of council vans",
                         description="Valeting and cleaning the council's vans.",
                         cpv_codes="50112300", delivery_postcode="PR1 2HE")

    def fit(tender_id):
        listed = client.get(f"/api/tenders/{tender_id}/matches?top=20").get_json()["matches"]
        (match,) = [m for m in listed if m["supplier_id"] == newcomer.id]
        terms = [r["data"]["terms"] for r in match["reasons"] if r["kind"] == "text"]
        return (terms[0] if terms else None), match["fits_work"]

    assert fit(buses.id) == (None, False)
    assert fit(tender.id) == (["school"], True)  # school meals
    assert fit(vans.id)[1] and "cleaning" in fit(vans.id)[0]
    # Its dashboard agrees: the bus service is among the other open tenders.
    client.sign_in(newcomer.users[0].email)
    page = html.unescape(client.get(f"/suppliers/{newcomer.id}").get_data(as_text=True))
    fitting, others = page.split('id="other-open-tenders"')
    assert "School bus services" in others and "School bus services" not in fitting
    assert "School meals for primary schools" in fitting


def _ledgers_pay(session, council, caterer, cleaner):
    """The council's ledgers: the caterer paid for school meals over two years (a credit
    note nets off); the cleaner's name waits for review; a redacted line does not count."""
    from datetime import date

    from coopmatch.models import LedgerName, Payment

    paid = LedgerName(key="ribble catering", name="RIBBLE CATERING", supplier_id=caterer.id,
                      status="auto")
    waiting = LedgerName(key="preston cleaning", name="Preston Cleaning",
                         supplier_id=cleaner.id, status="review")
    session.add_all([paid, waiting])
    session.flush()
    rows = [(paid, date(2022, 5, 1), 4_000_000, "SCHOOL MEALS", False),
            (paid, date(2023, 9, 1), 2_500_000, "School meals", False),
            (paid, date(2023, 10, 1), -500_000, "School meals", False),
            (paid, date(2023, 11, 1), 300_000, "Hospitality", False),
            (paid, date(2024, 1, 1), 9_900_000, "Withheld", True),
            (waiting, date(2023, 1, 1), 800_000, "Cleaning", False)]
    session.add_all([Payment(anchor_id=council.id, ledger_name_id=name.id, payment_date=day,
                             amount_pence=pence, expense_type=kind, redacted=redacted,
                             row_key=f"row{i}")
                     for i, (name, day, pence, kind, redacted) in enumerate(rows)])
    session.commit()


PAID = ("Paid £63,000 by Preston City Council in 2022\u20132023 (its payment ledgers), for "
        "School meals; Hospitality.")


def test_what_the_buyers_ledgers_paid_a_supplier_is_a_reason_for_those_who_may_read_them(
        app, client, session, ref):
    tender, caterer, cleaner, _ = _setup(session, ref)
    council = tender.buyer
    _ledgers_pay(session, council, caterer, cleaner)
    with app.app_context():
        settings = match_settings()
    search = matching.Search()

    def reasons(**who) -> dict[int, list[str]]:
        _, found = matching.matches_for_tender(session, tender_id=tender.id, search=search,
                                               ref=ref, settings=settings, **who)
        return {m.supplier_id: [r.text for r in m.reasons] for m in found}

    officer = council.users[0]
    agency = create_user(session, role="agency")
    elsewhere = create_user(session, role="procurement", organisation=create_organisation(
        session, ref, name="Wyre Council", postcode="FY6 7PU"))
    for who in ({"viewer": officer}, {"viewer": agency}, {"operator": True}):
        found = reasons(**who)
        # Net of the credit note, redacted lines left out, types however capitalised.
        assert PAID in found[caterer.id], who
        assert not any("payment ledgers" in r for r in found[cleaner.id]), who  # in review
    for who in ({"viewer": None}, {"viewer": elsewhere}, {"viewer": caterer.users[0]}, {}):
        assert not any("payment ledgers" in r for rs in reasons(**who).values() for r in rs)
    # Evidence only: the ranking and scores are the engine's, whoever reads them.
    _, seen = matching.matches_for_tender(session, tender_id=tender.id, search=search,
                                          ref=ref, settings=settings, viewer=officer)
    _, unseen = matching.matches_for_tender(session, tender_id=tender.id, search=search,
                                            ref=ref, settings=settings)
    assert [(m.supplier_id, m.score) for m in seen] == [(m.supplier_id, m.score) for m in unseen]
    caterer_match = next(m for m in seen if m.supplier_id == caterer.id)
    assert caterer_match.reasons[-1].data == {
        "paid_gbp": 63000.0, "first_year": 2022, "last_year": 2023,
        "paid_for": ["School meals", "Hospitality"], "source": "payment ledgers"}
    # Through the page, the API and the shortlist: the council's officer sees it, a visitor
    # does not.
    def shown() -> list[bool]:
        api = client.get(f"/api/tenders/{tender.id}/matches").get_json()["matches"]
        return [PAID in html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True)),
                PAID in [r["text"] for m in api for r in m["reasons"]]]

    assert shown() == [False, False]
    # The caterer reads what the council paid it where its own fit is shown, and nowhere
    # else: not what it paid others, in the list.
    client.sign_in(caterer.users[0].email)
    page = html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True))
    own, listed = page.split('id="own-fit-heading"')[1].split("</section>", 1)
    assert PAID in own and "payment ledgers" not in listed
    assert matching.fit_for_supplier(session, tender_id=tender.id, supplier_id=caterer.id,
                                     ref=ref, settings=settings,
                                     viewer=cleaner.users[0]).reasons[-1].text != PAID

    def opportunity() -> list[bool]:
        """Whether the caterer's opportunities say it, on its page and through the API."""
        page = html.unescape(client.get(f"/suppliers/{caterer.id}").get_data(as_text=True))
        api = client.get(f"/api/suppliers/{caterer.id}/opportunities").get_json()
        (school_meals,) = [o for o in api["opportunities"] if o["tender_id"] == tender.id]
        return [PAID in page, PAID in [r["text"] for r in school_meals["reasons"]]]

    assert opportunity() == [True, True]
    client.sign_out()
    assert opportunity() == [False, False]
    for who in (cleaner.users[0], elsewhere, agency):
        client.sign_in(who.email)
        assert opportunity() == ([True, True] if who is agency else [False, False]), who.role
        client.sign_out()
    client.sign_in(officer.email)
    assert shown() == [True, True]
    assert PAID in client.get(f"/tenders/{tender.id}/shortlist.csv").get_data(as_text=True)
