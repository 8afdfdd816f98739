"""The one exception type the client raises for failed calls."""

from __future__ import annotations

# gRPC's canonical status codes, as transport.proto's StatusCode numbers them.
STATUS_NAMES = {
    0: "OK",
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}


def status_name(code: int) -> str:
    """The status name of a code number ("UNAUTHENTICATED"), or "UNKNOWN(<n>)" for one the schema lacks."""
    return STATUS_NAMES.get(int(code), f"UNKNOWN({int(code)})")


class ModelGateError(Exception):
    """A call that failed, with the server's (or the client's) status.

    Attributes:
        code: the status name, such as ``"UNAUTHENTICATED"`` or ``"NOT_FOUND"``.
        message: the human-readable reason.
        details: structured details from the trailers (such as the region that is down).
        request_id: the request id the server used, when it said.
    """

    def __init__(self, code: str | int, message: str = "", details: dict[str, str] | None = None,
                 request_id: str = "") -> None:
        self.code = status_name(code) if isinstance(code, int) else code
        self.message = message
        self.details = dict(details or {})
        self.request_id = request_id
        super().__init__(f"{self.code}: {message}" if message else self.code)

    @classmethod
    def from_status(cls, code: int, message: str = "", details=None, request_id: str = "") -> "ModelGateError":
        """From a numeric StatusCode, as trailers and ScoreResponse carry it."""
        return cls(status_name(code), message, dict(details or {}), request_id)
