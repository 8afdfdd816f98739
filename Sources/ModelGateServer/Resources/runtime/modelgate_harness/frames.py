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

# One encoder for every meta: ``json.dumps`` with non-default options builds a new one per call.
_META_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


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
    meta_bytes = _META_ENCODER.encode(meta).encode("utf-8")
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
    """Reads whole frames from a socket, as many per ``recv`` as have arrived.

    The caller waits until the socket is readable, then calls ``fill()`` once and takes
    every complete frame with ``next_frame()``. Reading in large chunks matters: a server
    that keeps a replica fed sends several frames back to back, and one system call (and
    one wake-up) for all of them is most of what a request costs here.

    Waiting for the first byte of a frame may take forever (an idle connection is fine),
    but once a frame has begun the rest of it must arrive within ``frame_timeout`` seconds
    (``timeout()`` says how long the caller may wait; ``check_deadline()`` raises once it
    has passed): a server that stalls mid-frame makes the replica exit instead of hang.
    """

    # Reads go into one preallocated buffer: ``recv(n)`` allocates n bytes per call, and
    # above glibc's mmap threshold (128 KiB) that is an mmap, page faults and an munmap.
    CHUNK = 64 * 1024

    def __init__(self, sock, max_payload=DEFAULT_MAX_PAYLOAD, frame_timeout=30.0):
        self._sock = sock
        self._max_payload = max_payload
        self._frame_timeout = frame_timeout
        self._buffer = bytearray()
        self._offset = 0
        self._chunk = bytearray(self.CHUNK)
        self._chunk_view = memoryview(self._chunk)
        # The header of the frame being assembled, once checked: (length, type, flags, id).
        self._header = None
        self._deadline = None

    def fill(self):
        """Reads what has arrived (the socket must be readable); returns False when the
        server closed the connection between frames.

        Raises ``ProtocolError`` when the server closed it inside a frame.
        """
        count = self._sock.recv_into(self._chunk)
        if not count:
            if len(self._buffer) > self._offset:
                raise ProtocolError("connection closed inside the %s (%d bytes of it arrived)" % (self._what(), len(self._buffer) - self._offset))
            return False
        if self._offset:
            del self._buffer[:self._offset]
            self._offset = 0
        self._buffer += self._chunk_view[:count]
        return True

    def next_frame(self):
        """Returns the next complete ``(type, flags, id, payload)``, or None until more arrives.

        Raises ``ProtocolError`` for a header that breaks the protocol, checked as soon as
        the header is complete (before its payload is read).
        """
        buffer = self._buffer
        offset = self._offset
        available = len(buffer) - offset
        header = self._header
        if header is None:
            if available < HEADER_SIZE:
                self._mark_partial(available)
                return None
            header = HEADER.unpack_from(buffer, offset)
            self.check_header(*header)
            self._header = header
        length = header[0]
        if available < HEADER_SIZE + length:
            self._mark_partial(available)
            return None
        start = offset + HEADER_SIZE
        payload = bytes(buffer[start:start + length]) if length else b""
        self._offset = start + length
        self._header = None
        self._deadline = None
        return header[1], header[2], header[3], payload

    def timeout(self):
        """Seconds the caller may wait for more bytes: None between frames."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - time.monotonic())

    def check_deadline(self):
        """Raises ``ProtocolError`` once a begun frame has taken longer than ``frame_timeout``."""
        if self._deadline is not None and time.monotonic() >= self._deadline:
            missing = (HEADER_SIZE + self._header[0] if self._header is not None else HEADER_SIZE) \
                - (len(self._buffer) - self._offset)
            raise ProtocolError("timed out reading the %s (%d bytes missing)" % (self._what(), missing))

    def _mark_partial(self, available):
        if available and self._deadline is None:
            self._deadline = time.monotonic() + self._frame_timeout
        elif not available:
            self._deadline = None

    def _what(self):
        if self._header is None:
            return "frame header"
        return "%s payload" % type_name(self._header[1])

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
