"""Domain errors: raised by services and domain code, translated by views, API and CLI."""


class CoopmatchError(Exception):
    """Base error with an HTTP status and a JSON form."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        body = {"error": type(self).__name__, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidPostcode(CoopmatchError):
    """A postcode that is not in a UK format."""


class InvalidCPV(CoopmatchError):
    """A CPV code that is malformed or not in the CPV 2008 vocabulary."""


class InvalidSIC(CoopmatchError, ValueError):
    """A SIC code that is not 5 digits."""


class NotFound(CoopmatchError):
    status_code = 404


class Forbidden(CoopmatchError):
    status_code = 403


class Conflict(CoopmatchError):
    status_code = 409


class Unavailable(CoopmatchError):
    """The server cannot do it just now (its disk is full or cannot be written)."""

    status_code = 503
