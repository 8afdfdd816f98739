"""The replica protocol's framing: the preface, the 10-byte frame header, and the
meta-plus-body payload of SCORE and RESULT frames. See ``PROTOCOL.md``.

The header is the one the client protocol uses (``proto/modelgate/v1/transport.proto``):
a 4-byte big-endian payload length, a type byte, a flags byte and a 4-byte big-endian id.
"""

import json
import select
import struct
import time

PREFACE = b"MODELGATE/1\r\n\r\n"

HEADER = struct.Struct(">IBBI")
HEADER_SIZE = HEADER.size  # 10

# Frame types shared with the client protocol.
CANCEL = 0x04
PING = 0x06
GOAWAY = 0x07
# Frame types only replicas use.
READY = 0x10
INIT_FAILED = 0x11
SCORE = 0x12
RESULT = 0x13

FLAG_ACK = 0x01

NAMES = {
    CANCEL: "CANCEL",
    PING: "PING",
    GOAWAY: "GOAWAY",
    READY: "READY",
    INIT_FAILED: "INIT_FAILED",
    SCORE: "SCORE",
    RESULT: "RESULT",
}

# The types a server may send; anything else from the server is a protocol error.
FROM_SERVER = frozenset({SCORE, CANCEL, PING, GOAWAY})

META_LENGTH = struct.Struct(">I")

DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024


class ProtocolError(Exception):
    """The server sent something the protocol does not allow; the replica must exit."""


class ConnectionClosed(Exception):
    """The server closed the connection between two frames."""


def wait_readable(sources, timeout=None):
    """Returns the file descriptors of ``sources`` (sockets or fds) that are readable.

    ``poll``, not ``select``: the script may have opened over a thousand files in
    ``init()``, and ``select`` cannot watch descriptors above 1023.
    """
    poller = select.poll()
    for source in sources:
        poller.register(source, select.POLLIN | select.POLLHUP | select.POLLERR)
    milliseconds = None if timeout is None else max(0, int(timeout * 1000) + 1)
    return {fd for fd, _ in poller.poll(milliseconds)}


def type_name(frame_type):
    return NAMES.get(frame_type, "UNKNOWN(0x%02x)" % frame_type)


def encode_frame(frame_type, flags, frame_id, payload=b""):
    """Returns the header and payload of one frame as bytes."""
    return HEADER.pack(len(payload), frame_type, flags, frame_id) + bytes(payload)


def encode_meta_payload(meta, body):
    """Encodes a SCORE or RESULT payload: 4-byte big-endian meta length, JSON meta, body."""
    meta_bytes = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return META_LENGTH.pack(len(meta_bytes)) + meta_bytes + bytes(body)


def decode_meta_payload(payload):
    """Splits a SCORE or RESULT payload into its meta object and its body.

    Raises ``ProtocolError`` when the meta length overruns the payload or the meta is not a
    JSON object.
    """
    if len(payload) < META_LENGTH.size:
        raise ProtocolError("payload of %d bytes is too short for the 4-byte meta length" % len(payload))
    (meta_length,) = META_LENGTH.unpack_from(payload, 0)
    end = META_LENGTH.size + meta_length
    if end > len(payload):
        raise ProtocolError("meta length %d overruns the payload of %d bytes" % (meta_length, len(payload)))
    try:
        meta = json.loads(bytes(payload[META_LENGTH.size:end]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as ex:
        raise ProtocolError("meta is not valid UTF-8 JSON: %s" % ex) from None
    if not isinstance(meta, dict):
        raise ProtocolError("meta must be a JSON object, got %s" % type(meta).__name__)
    return meta, bytes(payload[end:])


class FrameReader:
    """Reads whole frames from a blocking socket.

    Waiting for the first byte of a frame may take forever (an idle connection is fine),
    but once a frame has begun the rest of it must arrive within ``frame_timeout`` seconds:
    a server that stalls mid-frame makes the replica exit instead of hang.
    """

    def __init__(self, sock, max_payload=DEFAULT_MAX_PAYLOAD, frame_timeout=30.0):
        self._sock = sock
        self._max_payload = max_payload
        self._frame_timeout = frame_timeout

    def read_frame(self):
        """Returns ``(type, flags, id, payload)``; the socket must be readable or blocking.

        Raises ``ConnectionClosed`` on a clean close between frames and ``ProtocolError`` on
        a close or stall inside a frame, or a header that breaks the protocol.
        """
        first = self._sock.recv(HEADER_SIZE)
        if not first:
            raise ConnectionClosed()
        deadline = time.monotonic() + self._frame_timeout
        header = first + self._read_exact(HEADER_SIZE - len(first), deadline, "frame header")
        length, frame_type, flags, frame_id = HEADER.unpack(header)
        self.check_header(length, frame_type, flags, frame_id)
        payload = self._read_exact(length, deadline, "%s payload" % type_name(frame_type))
        return frame_type, flags, frame_id, payload

    def check_header(self, length, frame_type, flags, frame_id):
        """Refuses a header before its payload is read or allocated."""
        if frame_type not in FROM_SERVER:
            raise ProtocolError("unexpected frame type %s from the server" % type_name(frame_type))
        if length > self._max_payload:
            raise ProtocolError(
                "%s payload of %d bytes exceeds the limit of %d bytes" % (type_name(frame_type), length, self._max_payload)
            )
        if frame_type in (PING, GOAWAY):
            if frame_id != 0:
                raise ProtocolError("%s frame on id %d; it belongs to id 0" % (type_name(frame_type), frame_id))
        elif frame_id == 0:
            raise ProtocolError("%s frame on id 0" % type_name(frame_type))
        if frame_type == PING and length != 8:
            raise ProtocolError("PING payload must be 8 bytes, got %d" % length)
        if frame_type == CANCEL and length != 0:
            raise ProtocolError("CANCEL payload must be empty, got %d bytes" % length)
        if flags & ~FLAG_ACK:
            raise ProtocolError("unknown flags 0x%02x on %s" % (flags, type_name(frame_type)))
        if flags & FLAG_ACK and frame_type != PING:
            raise ProtocolError("ACK flag on %s" % type_name(frame_type))

    def _read_exact(self, count, deadline, what):
        chunks = []
        remaining = count
        while remaining > 0:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise ProtocolError("timed out reading the %s (%d of %d bytes missing)" % (what, remaining, count))
            if not wait_readable([self._sock], wait):
                continue
            chunk = self._sock.recv(min(remaining, 1 << 20))
            if not chunk:
                raise ProtocolError("connection closed inside the %s (%d of %d bytes missing)" % (what, remaining, count))
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
