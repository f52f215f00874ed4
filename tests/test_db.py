"""coopmatch.db: how engines are made for each database."""

from coopmatch.db import CONNECT_TIMEOUT, server_connect_args


def test_a_database_server_gets_a_connect_timeout_unless_its_url_gives_one(monkeypatch):
    monkeypatch.delenv("COOPMATCH_DB_CONNECT_TIMEOUT", raising=False)
    url = "postgresql+psycopg://coop@db.internal/coopmatch"
    assert server_connect_args(url) == {"connect_timeout": CONNECT_TIMEOUT}
    assert server_connect_args(url + "?connect_timeout=3") == {}  # the URL's own wins
    assert server_connect_args("sqlite:///instance/coopmatch.db") == {}
    monkeypatch.setenv("COOPMATCH_DB_CONNECT_TIMEOUT", "4")
    assert server_connect_args(url) == {"connect_timeout": 4}
    for unusable in ("abc", "0", "-5", " "):  # the default, not an error at start-up
        monkeypatch.setenv("COOPMATCH_DB_CONNECT_TIMEOUT", unusable)
        assert server_connect_args(url) == {"connect_timeout": CONNECT_TIMEOUT}
