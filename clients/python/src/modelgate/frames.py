"""ModelGate's frame format (proto/modelgate/v1/transport.proto), without I/O.

A connection opens with the 15-byte preface from each side; then every frame is a
10-byte header (u32 big-endian payload length, type byte, flags byte, u32
big-endian stream id) followed by the payload. Kept free of sockets so that the
codec can be tested on bytes alone.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PREFACE = b"MODELGATE/1\r\n\r\n"
HEADER_SIZE = 10
_HEADER = struct.Struct(">IBBI")

# FrameType numbers.
HEADERS = 1
MESSAGE = 2
TRAILERS = 3
CANCEL = 4
WINDOW_UPDATE = 5
PING = 6
GO_AWAY = 7
SETTINGS = 8
FRAME_TYPE_NAMES = {
    HEADERS: "HEADERS", MESSAGE: "MESSAGE", TRAILERS: "TRAILERS", CANCEL: "CANCEL",
    WINDOW_UPDATE: "WINDOW_UPDATE", PING: "PING", GO_AWAY: "GO_AWAY", SETTINGS: "SETTINGS",
}

# FrameFlag bits: END_STREAM on a client's HEADERS/MESSAGE, ACK on PING (same bit).
END_STREAM = 0x1
ACK = 0x1

# The protocol's defaults, used for SETTINGS fields a peer leaves 0.
DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024
DEFAULT_STREAM_WINDOW = 1024 * 1024
DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024
MAX_STREAM_ID = 0x7FFFFFFF

# Frames that belong to the connection (stream 0) and those that belong to a stream.
_CONNECTION_ONLY = {PING, GO_AWAY, SETTINGS}
_STREAM_ONLY = {HEADERS, MESSAGE, TRAILERS, CANCEL}


class ProtocolError(Exception):
    """The peer broke the framing rules; the connection cannot continue."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    type: int
    flags: int
    stream_id: int
    payload: bytes

    @property
    def type_name(self) -> str:
        return FRAME_TYPE_NAMES.get(self.type, f"type {self.type}")


def encode_frame(frame_type: int, stream_id: int, payload: bytes = b"", flags: int = 0) -> bytes:
    """A frame's bytes: header then payload."""
    if not 0 <= stream_id <= 0xFFFFFFFF:
        raise ValueError(f"stream id {stream_id} does not fit in 32 bits")
    if len(payload) > 0xFFFFFFFF:
        raise ValueError("payload longer than 2^32-1 bytes")
    return _HEADER.pack(len(payload), frame_type, flags, stream_id) + payload


def encode_window_update(stream_id: int, increment: int) -> bytes:
    """A WINDOW_UPDATE granting increment bytes (1 to 2^32-1) on a stream, or the connection for 0."""
    if not 0 < increment <= 0xFFFFFFFF:
        raise ValueError(f"window increment {increment} out of range")
    return encode_frame(WINDOW_UPDATE, stream_id, struct.pack(">I", increment))


def decode_window_update(frame: Frame) -> int:
    """The increment of a WINDOW_UPDATE; ProtocolError unless it is 4 bytes and not 0."""
    if len(frame.payload) != 4:
        raise ProtocolError(f"WINDOW_UPDATE payload of {len(frame.payload)} bytes, expected 4")
    (increment,) = struct.unpack(">I", frame.payload)
    if increment == 0:
        raise ProtocolError("WINDOW_UPDATE with a zero increment")
    return increment


class FrameDecoder:
    """Splits a byte stream into frames, checking each header before buffering its payload.

    feed() takes bytes as they arrive (in any split) and returns the frames now
    complete. A length above max_frame_size, an unknown type, or a frame on the
    wrong kind of stream raises ProtocolError at once, before the payload is
    awaited, so a hostile length never makes the client allocate.
    """

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE, expect_preface: bool = False) -> None:
        self.max_frame_size = max_frame_size
        self._buffer = bytearray()
        self._awaiting_preface = expect_preface

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        if self._awaiting_preface:
            seen = bytes(self._buffer[: len(PREFACE)])
            if not PREFACE.startswith(seen):
                raise ProtocolError(f"not a ModelGate/1 peer: preface {seen!r}")
            if len(seen) < len(PREFACE):
                return frames
            del self._buffer[: len(PREFACE)]
            self._awaiting_preface = False
        while len(self._buffer) >= HEADER_SIZE:
            length, frame_type, flags, stream_id = _HEADER.unpack_from(self._buffer)
            check_header(length, frame_type, stream_id, self.max_frame_size)
            if len(self._buffer) < HEADER_SIZE + length:
                break
            payload = bytes(self._buffer[HEADER_SIZE: HEADER_SIZE + length])
            del self._buffer[: HEADER_SIZE + length]
            frames.append(Frame(frame_type, flags, stream_id, payload))
        return frames


def check_header(length: int, frame_type: int, stream_id: int, max_frame_size: int) -> None:
    """ProtocolError for a header no valid frame has."""
    name = FRAME_TYPE_NAMES.get(frame_type)
    if name is None:
        raise ProtocolError(f"unknown frame type {frame_type}")
    if length > max_frame_size:
        raise ProtocolError(f"{name} frame of {length} bytes exceeds the limit of {max_frame_size}")
    if frame_type in _CONNECTION_ONLY and stream_id != 0:
        raise ProtocolError(f"{name} frame on stream {stream_id}; it belongs on stream 0")
    if frame_type in _STREAM_ONLY and stream_id == 0:
        raise ProtocolError(f"{name} frame on stream 0")
    if frame_type == PING and length != 8:
        raise ProtocolError(f"PING payload of {length} bytes, expected 8")
    if frame_type == WINDOW_UPDATE and length != 4:
        raise ProtocolError(f"WINDOW_UPDATE payload of {length} bytes, expected 4")
