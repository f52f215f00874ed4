"""Shared fixtures.

Domain tests use only `data_dir`. App tests get `app`, `client` and `session`, once on SQLite
and once on PostgreSQL (TEST_DATABASE_URL; mandatory under CI=true). The schema is built by the
real migrations, once per backend per run, in a database of the run's own.
"""

import contextlib
import os
import re
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from coopmatch import create_app
from coopmatch.db import upgrade
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real open data (../shared beside the checkout, or COOPMATCH_DATA_DIR)."""
    path = Path(os.environ.get("COOPMATCH_DATA_DIR") or ROOT.parent / "shared")
    assert (path / "reference-data").is_dir(), f"reference data not found at {path}"
    return path


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Derived caches (the parsed postcode file) survive between runs; they key on their source."""
    path = Path(os.environ.get("COOPMATCH_CACHE_DIR") or ROOT / "instance" / "cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def index_dir_for_commands(tmp_path_factory):
    """Commands run by tests keep their match indexes in a temporary folder, not instance/."""
    previous = os.environ.get("COOPMATCH_INDEX_DIR")
    os.environ["COOPMATCH_INDEX_DIR"] = str(tmp_path_factory.mktemp("index"))
    yield
    if previous is None:
        os.environ.pop("COOPMATCH_INDEX_DIR", None)
    else:
        os.environ["COOPMATCH_INDEX_DIR"] = previous


# --- databases -------------------------------------------------------------------------------


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url or None


def _backends() -> list[str]:
    backends = ["sqlite"]
    url = _postgres_admin_url()
    if url:
        try:
            engine = create_engine(url)
            with engine.connect():
                pass
            engine.dispose()
            backends.append("postgresql")
        except Exception as error:  # noqa: BLE001 - any failure means no server
            if IN_CI:
                raise RuntimeError(f"PostgreSQL at {url} is required under CI: {error}") from error
    elif IN_CI:
        raise RuntimeError("Set TEST_DATABASE_URL: the PostgreSQL pass is mandatory under CI.")
    return backends


BACKENDS = _backends()


@contextlib.contextmanager
def _scratch_database(backend: str, folder: Path):
    """Yield the URL of a new, empty database of a backend, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'coopmatch.db'}"
        return
    admin_url = make_url(_postgres_admin_url())
    name = f"coopmatch_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database of this run's own, per backend."""
    with _scratch_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """A new database with no tables yet, per backend: for testing the migrations' steps."""
    with _scratch_database(request.param, tmp_path) as url:
        yield url


def _empty_tables(engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(scope="session")
def warm_geography(data_dir, cache_dir) -> None:
    """Parse the postcode file into its cache once, before any request needs it."""
    from coopmatch.geo import load_reference

    load_reference(str(data_dir), str(cache_dir)).lookup("PR1 2HE")


@pytest.fixture
def app_config(data_dir, cache_dir, tmp_path, warm_geography) -> dict:
    """Overrides for the test app; tests may change them before `app` is built."""
    return {
        "COOPMATCH_DATA_DIR": str(data_dir),
        "CACHE_DIR": str(cache_dir),
        "INDEX_DIR": str(tmp_path / "index"),
    }


@pytest.fixture
def app(database_url, app_config):
    # No app context stays pushed during the test: each request gets its own, as in production,
    # so each request's session is closed when it ends.
    app = create_app("test", DATABASE_URL=database_url, **app_config)
    yield app
    engine = app.extensions["coopmatch.engine"]
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def session(app):
    """A session of the test's own, for arranging data and checking what was stored."""
    with Session(app.extensions["coopmatch.engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def ref(app):
    return app.extensions["coopmatch.reference"]


# --- the web client --------------------------------------------------------------------------

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Client:
    """A test client that signs in and posts forms with their CSRF token, like a browser."""

    def __init__(self, flask_client):
        self.raw = flask_client

    def get(self, *args, **kwargs):
        return self.raw.get(*args, **kwargs)

    def csrf_token(self, url: str = "/about") -> str:
        page = self.raw.get(url)
        match = _CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token("/about")
        return self.raw.post(url, data=data, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD):
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def sign_out(self):
        return self.post("/sign-out")


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


# --- a live server and a real browser -----------------------------------------------------------


@pytest.fixture
def live_server(app):
    """Serve the app on a free local port in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
