"""The client's protocol layer against a scripted server on a real socket (127.0.0.1, port 0).

The scripted server speaks raw frames, so each test controls exactly what the
client sees: small windows, GO_AWAY, pings, a hostile frame, a silent peer.
"""

from __future__ import annotations

import asyncio
import struct

import pytest

from modelgate import frames
from modelgate.connection import Connection
from modelgate.errors import ModelGateError
from modelgate.v1 import transport_pb2


class ScriptedServer:
    """Accepts one connection; the test reads and writes frames on it."""

    def __init__(self, settings: transport_pb2.Settings | None = None, send_preface: bool = True) -> None:
        self.settings = settings or transport_pb2.Settings()
        self.send_preface = send_preface
        self.accepted: asyncio.Future = None
        self.decoder = frames.FrameDecoder(expect_preface=True)
        self.pending: list[frames.Frame] = []

    async def __aenter__(self):
        self.accepted = asyncio.get_running_loop().create_future()

        async def on_connect(reader, writer):
            if self.send_preface:
                writer.write(frames.PREFACE + frames.encode_frame(frames.SETTINGS, 0, self.settings.SerializeToString()))
            self.accepted.set_result((reader, writer))

        self.server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        if self.accepted.done():
            self.accepted.result()[1].close()
        self.server.close()

    async def next_frame(self, timeout: float = 5) -> frames.Frame:
        reader, _ = await self.accepted
        while not self.pending:
            data = await asyncio.wait_for(reader.read(65536), timeout)
            assert data, "the client closed the connection"
            self.pending += self.decoder.feed(data)
        return self.pending.pop(0)

    async def expect(self, frame_type: int) -> frames.Frame:
        """The next frame of this type, skipping others (the client's SETTINGS, other calls' frames)."""
        while True:
            frame = await self.next_frame()
            if frame.type == frame_type:
                return frame

    async def send(self, data: bytes) -> None:
        _, writer = await self.accepted
        writer.write(data)
        await writer.drain()

    async def answer(self, stream_id: int, payload: bytes = b"", code: int = 0, message: str = "") -> None:
        trailers = transport_pb2.Trailers(code=code, message=message).SerializeToString()
        out = frames.encode_frame(frames.MESSAGE, stream_id, payload) if code == 0 else b""
        await self.send(out + frames.encode_frame(frames.TRAILERS, stream_id, trailers))


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_the_handshake_sends_preface_and_settings_and_a_unary_call_round_trips():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            call = asyncio.ensure_future(connection.unary("/modelgate.v1.X/Y", b"req", {"authorization": "Bearer k"}))
            settings = await server.next_frame()
            assert settings.type == frames.SETTINGS and settings.stream_id == 0
            headers_frame = await server.expect(frames.HEADERS)
            headers = transport_pb2.CallHeaders()
            headers.ParseFromString(headers_frame.payload)
            assert (headers_frame.stream_id, headers.method, dict(headers.metadata)) == \
                (1, "/modelgate.v1.X/Y", {"authorization": "Bearer k"})
            message = await server.expect(frames.MESSAGE)
            assert (message.payload, message.flags) == (b"req", frames.END_STREAM)
            await server.answer(1, b"resp")
            assert await call == b"resp"
            second = asyncio.ensure_future(connection.unary("/m", b""))
            assert (await server.expect(frames.HEADERS)).stream_id == 3  # odd, increasing
            await server.answer(3, b"")
            assert await second == b""
            await connection.close()
    run(scenario())


def test_an_error_status_in_the_trailers_raises_with_its_code_and_message():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            call = asyncio.ensure_future(connection.unary("/m", b"x"))
            await server.expect(frames.MESSAGE)
            await server.answer(1, code=16, message="wrong key")
            with pytest.raises(ModelGateError) as raised:
                await call
            assert (raised.value.code, raised.value.message) == ("UNAUTHENTICATED", "wrong key")
            await connection.close()
    run(scenario())


def test_the_client_waits_for_credit_and_never_sends_beyond_the_window():
    async def scenario():
        settings = transport_pb2.Settings(initial_stream_window=10, initial_connection_window=1000)
        async with ScriptedServer(settings) as server:
            connection = await Connection.open("127.0.0.1", server.port)
            stream = await connection.open_stream("/m")
            await stream.send(b"a" * 10)  # uses the whole window (credit may go to 0, not below by more than one)
            blocked = asyncio.ensure_future(stream.send(b"b" * 4))
            await asyncio.sleep(0.2)
            assert not blocked.done()
            await server.expect(frames.HEADERS)
            assert (await server.expect(frames.MESSAGE)).payload == b"a" * 10
            await server.send(frames.encode_window_update(stream.id, 5))
            await asyncio.wait_for(blocked, 5)
            assert (await server.expect(frames.MESSAGE)).payload == b"b" * 4
            await connection.close()
    run(scenario())


def test_an_oversized_message_is_refused_locally():
    async def scenario():
        async with ScriptedServer(transport_pb2.Settings(max_frame_size=1024)) as server:
            connection = await Connection.open("127.0.0.1", server.port)
            with pytest.raises(ModelGateError) as raised:
                await connection.unary("/m", b"x" * 1025)
            assert raised.value.code == "RESOURCE_EXHAUSTED"
            await connection.close()
    run(scenario())


def test_a_ping_is_answered_with_the_same_bytes():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            await server.send(frames.encode_frame(frames.PING, 0, b"pingpong"))
            frame = await server.next_frame()
            while frame.type != frames.PING:
                frame = await server.next_frame()
            assert (frame.flags, frame.payload) == (frames.ACK, b"pingpong")
            await connection.close()
    run(scenario())


def test_after_go_away_unprocessed_calls_and_new_calls_fail_unavailable():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            first = asyncio.ensure_future(connection.unary("/m", b"1"))
            second = asyncio.ensure_future(connection.unary("/m", b"2"))
            await server.expect(frames.HEADERS)
            await server.expect(frames.HEADERS)
            goaway = transport_pb2.GoAway(last_stream_id=1, code=0, message="shutting down")
            await server.send(frames.encode_frame(frames.GO_AWAY, 0, goaway.SerializeToString()))
            with pytest.raises(ModelGateError, match="shutting down") as raised:
                await second
            assert raised.value.code == "UNAVAILABLE"
            await server.answer(1, b"done")  # the processed call still finishes
            assert await first == b"done"
            assert not connection.is_usable
            with pytest.raises(ModelGateError) as raised:
                await connection.unary("/m", b"3")
            assert raised.value.code == "UNAVAILABLE"
            await connection.close()
    run(scenario())


def test_a_hostile_frame_closes_the_connection_and_fails_its_calls():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            call = asyncio.ensure_future(connection.unary("/m", b"x"))
            await server.expect(frames.MESSAGE)
            await server.send(struct.pack(">IBBI", 64 * 1024 * 1024, frames.MESSAGE, 0, 1))
            with pytest.raises(ModelGateError, match="protocol error") as raised:
                await call
            assert raised.value.code == "UNAVAILABLE"
            assert not connection.is_usable
            await connection.close()
    run(scenario())


def test_a_message_on_a_stream_never_opened_is_a_protocol_error():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            call = asyncio.ensure_future(connection.unary("/m", b"x"))
            await server.expect(frames.MESSAGE)
            await server.send(frames.encode_frame(frames.MESSAGE, 99, b"?"))
            with pytest.raises(ModelGateError, match="never opened"):
                await call
            await connection.close()
    run(scenario())


def test_a_timeout_cancels_the_call_and_raises_deadline_exceeded():
    async def scenario():
        async with ScriptedServer() as server:
            connection = await Connection.open("127.0.0.1", server.port)
            with pytest.raises(ModelGateError) as raised:
                await connection.unary("/m", b"x", timeout=0.2)
            assert raised.value.code == "DEADLINE_EXCEEDED"
            headers = transport_pb2.CallHeaders()
            headers.ParseFromString((await server.expect(frames.HEADERS)).payload)
            assert headers.timeout_micros == 200_000
            await server.expect(frames.MESSAGE)
            assert (await server.expect(frames.CANCEL)).stream_id == 1
            await connection.close()
    run(scenario())


def test_a_peer_that_is_not_modelgate_is_refused_unavailable():
    async def scenario():
        async def on_connect(reader, writer):
            writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            await writer.drain()

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(ModelGateError, match="preface") as raised:
            await Connection.open("127.0.0.1", port, connect_timeout=5)
        assert raised.value.code == "UNAVAILABLE"
        server.close()
    run(scenario())


def test_a_silent_peer_times_out_the_handshake():
    async def scenario():
        async with ScriptedServer(send_preface=False) as server:
            with pytest.raises(ModelGateError, match="handshake") as raised:
                await Connection.open("127.0.0.1", server.port, connect_timeout=0.3)
            assert raised.value.code == "UNAVAILABLE"
    run(scenario())


def test_a_closed_port_is_unavailable():
    async def scenario():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(ModelGateError) as raised:
            await Connection.open("127.0.0.1", port)
        assert raised.value.code == "UNAVAILABLE"
    run(scenario())
