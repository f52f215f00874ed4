"""URL converters: an id in a URL is a database id, so one too large for the database's
integers is no page (404), not an error from the database driver."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from coopmatch.models import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` with the database's largest id as its default maximum."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
