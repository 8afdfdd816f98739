"""The frame codec on bytes alone: layout, splits, and every malformed frame it must refuse."""

from __future__ import annotations

import struct

import pytest

from modelgate import frames
from modelgate.frames import Frame, FrameDecoder, ProtocolError, encode_frame


def header(length, frame_type, flags, stream_id):
    return struct.pack(">IBBI", length, frame_type, flags, stream_id)


def test_preface_is_the_fifteen_bytes_of_the_spec():
    assert frames.PREFACE == b"MODELGATE/1\r\n\r\n" and len(frames.PREFACE) == 15


def test_header_is_big_endian_length_type_flags_stream_id():
    data = encode_frame(frames.MESSAGE, 7, b"abc", frames.END_STREAM)
    assert data == bytes([0, 0, 0, 3, 2, 1, 0, 0, 0, 7]) + b"abc"
    assert len(data) == frames.HEADER_SIZE + 3


def test_frames_round_trip_through_the_decoder():
    data = (encode_frame(frames.HEADERS, 1, b"h") + encode_frame(frames.MESSAGE, 1, b"", frames.END_STREAM)
            + frames.encode_window_update(0, 65536) + encode_frame(frames.PING, 0, b"12345678", frames.ACK))
    decoded = FrameDecoder().feed(data)
    assert decoded == [Frame(frames.HEADERS, 0, 1, b"h"), Frame(frames.MESSAGE, 1, 1, b""),
                       Frame(frames.WINDOW_UPDATE, 0, 0, struct.pack(">I", 65536)),
                       Frame(frames.PING, 1, 0, b"12345678")]
    assert frames.decode_window_update(decoded[2]) == 65536


def test_a_frame_split_at_every_byte_decodes_once_complete():
    data = frames.PREFACE + encode_frame(frames.TRAILERS, 3, b"\x08\x10") + encode_frame(frames.MESSAGE, 5, b"xyz")
    decoder = FrameDecoder(expect_preface=True)
    out = []
    for byte in data:
        out += decoder.feed(bytes([byte]))
    assert out == [Frame(frames.TRAILERS, 0, 3, b"\x08\x10"), Frame(frames.MESSAGE, 0, 5, b"xyz")]
    assert decoder.buffered == 0


def test_a_wrong_preface_is_refused_at_its_first_wrong_byte():
    decoder = FrameDecoder(expect_preface=True)
    assert decoder.feed(b"MODEL") == []
    with pytest.raises(ProtocolError, match="preface"):
        decoder.feed(b"X")


def test_an_http_peer_is_refused():
    with pytest.raises(ProtocolError, match="preface"):
        FrameDecoder(expect_preface=True).feed(b"HTTP/1.1 400 Bad Request\r\n")


def test_an_oversized_frame_is_refused_from_its_header_alone():
    decoder = FrameDecoder(max_frame_size=1024)
    with pytest.raises(ProtocolError, match="exceeds the limit of 1024"):
        decoder.feed(header(1025, frames.MESSAGE, 0, 1))  # no payload sent: nothing is allocated


def test_a_frame_at_the_limit_is_accepted():
    assert FrameDecoder(max_frame_size=16).feed(encode_frame(frames.MESSAGE, 1, b"x" * 16))[0].payload == b"x" * 16


def test_a_four_gigabyte_length_is_refused():
    with pytest.raises(ProtocolError, match="exceeds"):
        FrameDecoder().feed(header(0xFFFFFFFF, frames.MESSAGE, 0, 1))


@pytest.mark.parametrize("frame_type", [0, 9, 200, 255])
def test_unknown_frame_types_are_refused(frame_type):
    with pytest.raises(ProtocolError, match="unknown frame type"):
        FrameDecoder().feed(header(0, frame_type, 0, 1))


@pytest.mark.parametrize("frame_type", [frames.PING, frames.SETTINGS, frames.GO_AWAY])
def test_connection_frames_on_a_stream_are_refused(frame_type):
    with pytest.raises(ProtocolError, match="belongs on stream 0"):
        FrameDecoder().feed(header(8, frame_type, 0, 3) + bytes(8))


@pytest.mark.parametrize("frame_type", [frames.HEADERS, frames.MESSAGE, frames.TRAILERS, frames.CANCEL])
def test_stream_frames_on_stream_zero_are_refused(frame_type):
    with pytest.raises(ProtocolError, match="on stream 0"):
        FrameDecoder().feed(header(0, frame_type, 0, 0))


def test_a_ping_must_carry_eight_bytes():
    with pytest.raises(ProtocolError, match="PING payload of 4 bytes"):
        FrameDecoder().feed(header(4, frames.PING, 0, 0) + bytes(4))


def test_a_window_update_must_carry_four_bytes_and_grant_something():
    with pytest.raises(ProtocolError, match="expected 4"):
        FrameDecoder().feed(header(2, frames.WINDOW_UPDATE, 0, 0) + bytes(2))
    zero = FrameDecoder().feed(header(4, frames.WINDOW_UPDATE, 0, 1) + bytes(4))[0]
    with pytest.raises(ProtocolError, match="zero increment"):
        frames.decode_window_update(zero)


def test_window_update_increments_outside_one_to_two_to_the_32_are_not_encoded():
    for bad in (0, -1, 1 << 32):
        with pytest.raises(ValueError):
            frames.encode_window_update(1, bad)
    assert frames.encode_window_update(1, 0xFFFFFFFF)[-4:] == b"\xff\xff\xff\xff"


def test_a_truncated_frame_waits_for_the_rest():
    decoder = FrameDecoder()
    data = encode_frame(frames.MESSAGE, 1, b"0123456789")
    assert decoder.feed(data[:-1]) == []
    assert decoder.buffered == len(data) - 1
    assert decoder.feed(data[-1:])[0].payload == b"0123456789"
