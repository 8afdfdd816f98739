"""One ModelGate/1 connection on asyncio: handshake, streams, flow control, pings, GO_AWAY.

This is the protocol layer the rest of the client builds on; it moves encoded
messages (bytes) and knows nothing of the services. See
proto/modelgate/v1/transport.proto for the rules it follows.
"""

from __future__ import annotations

import asyncio
import collections
import ssl as _ssl
from typing import Optional

from . import frames
from . import tls as _tls
from .errors import ModelGateError
from .v1 import transport_pb2


class Limits:
    """The client's side of the protocol limits, sent in its SETTINGS.

    Attributes:
        max_frame_size: largest frame the client accepts from the server.
        stream_window: receive credit each stream starts with.
        connection_window: receive credit the connection starts with.
    """

    def __init__(self, max_frame_size: int = frames.DEFAULT_MAX_FRAME_SIZE,
                 stream_window: int = frames.DEFAULT_STREAM_WINDOW,
                 connection_window: int = frames.DEFAULT_CONNECTION_WINDOW) -> None:
        self.max_frame_size = max_frame_size
        self.stream_window = stream_window
        self.connection_window = connection_window


def _cost(payload_length: int) -> int:
    """A MESSAGE's flow-control cost: its length, or 1 when empty (so empty messages are bounded too)."""
    return payload_length if payload_length > 0 else 1


class Stream:
    """One call on a connection: send request messages, read response messages, then the status.

    Messages are read in arrival order; read() returns None at the end of a
    successful call and raises ModelGateError for any other status. Reading
    is what returns flow-control credit to the server, so a caller that stops
    reading stops the server from sending (backpressure).
    """

    def __init__(self, connection: "Connection", stream_id: int, method: str) -> None:
        self.connection = connection
        self.id = stream_id
        self.method = method
        self._messages: collections.deque[bytes] = collections.deque()
        self._waiter: Optional[asyncio.Future] = None
        self.finished = False
        self.error: Optional[ModelGateError] = None
        self.trailers: Optional[transport_pb2.Trailers] = None
        self.half_closed = False
        self.send_credit = connection._peer_stream_window
        self.recv_credit = connection.limits.stream_window
        self.unreturned = 0

    # Receiving.

    def _deliver(self, payload: bytes) -> None:
        self._messages.append(payload)
        self._wake()

    def _finish(self, error: Optional[ModelGateError]) -> None:
        if self.finished:
            return
        self.finished = True
        self.error = error
        self._wake()
        self.connection._wake_senders()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def read(self) -> Optional[bytes]:
        """The next response message; None when the call ended with OK; raises ModelGateError otherwise."""
        while not self._messages:
            if self.finished:
                if self.error is not None:
                    raise self.error
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        payload = self._messages.popleft()
        self.connection._consumed(self, _cost(len(payload)))
        return payload

    # Sending.

    async def send(self, payload: bytes, end: bool = False) -> None:
        """Sends one request message; waits for flow-control credit. end=True half-closes with it."""
        await self.connection._send_message(self, payload, end)

    async def half_close(self) -> None:
        """Says no more request messages follow (an empty TRAILERS frame)."""
        if self.half_closed or self.finished:
            self.half_closed = True
            return
        self.half_closed = True
        await self.connection._write(frames.encode_frame(frames.TRAILERS, self.id))

    def cancel(self, message: str = "call cancelled by the client") -> None:
        """Ends the call at once: the server gets CANCEL and stops its work; reads raise CANCELLED."""
        if self.finished:
            return
        self.connection._end_stream(self, ModelGateError("CANCELLED", message), send_cancel=True)


class Connection:
    """A ModelGate/1 connection; many concurrent calls (streams) share it.

    Open with ``await Connection.open(host, port)``. All methods must be called
    on the event loop the connection was opened on.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: Limits) -> None:
        self._reader = reader
        self._writer = writer
        self.limits = limits
        self._decoder = frames.FrameDecoder(max_frame_size=limits.max_frame_size, expect_preface=True)
        self._streams: dict[int, Stream] = {}
        self._next_id = 1
        self._closed_error: Optional[ModelGateError] = None
        self._going_away: Optional[str] = None
        self._ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self._settings_received = False
        # What the server allows; SETTINGS fields left 0 take the protocol's defaults.
        self.peer_max_frame_size = frames.DEFAULT_MAX_FRAME_SIZE
        self.peer_max_concurrent_streams = 100
        self.peer_max_header_size = 16 * 1024
        self._peer_stream_window = frames.DEFAULT_STREAM_WINDOW
        self._send_credit = frames.DEFAULT_CONNECTION_WINDOW
        # Our receive side of the connection window.
        self._recv_credit = limits.connection_window
        self._conn_unreturned = 0
        self._credit_waiters: list[asyncio.Future] = []
        self._slot_waiters: list[asyncio.Future] = []
        self._read_task: Optional[asyncio.Task] = None
        # Over TLS, turns an SSLError seen after the handshake (a TLS 1.3 server
        # refusing the client's certificate says so only then) into a clear error.
        self._tls_failure = None

    @classmethod
    async def open(cls, host: str, port: int, *, tls: _tls.TlsArgument = False,
                   ssl: Optional[_ssl.SSLContext] = None, limits: Optional[Limits] = None,
                   connect_timeout: float = 10.0) -> "Connection":
        """Connects, exchanges prefaces and SETTINGS, and returns once the server's SETTINGS arrived.

        ``tls``: False for plaintext, True or a TlsOptions for TLS (see modelgate.tls),
        None to take it from the environment (MODELGATE_TLS...). ``ssl``, an
        SSLContext, replaces the context the options would build (it must offer
        ALPN ``modelgate/1``); ``tls`` then still gives the server name.
        Raises ModelGateError UNAVAILABLE when the server cannot be reached, refuses
        the connection or fails the TLS handshake (the message says why).
        """
        limits = limits or Limits()
        context, options = _tls.resolve(tls, ssl)
        name = _tls.server_hostname(host, options) if context is not None else None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=context, server_hostname=name, limit=1 << 20),
                connect_timeout)
        except asyncio.TimeoutError:
            raise ModelGateError("UNAVAILABLE", f"cannot connect to {host}:{port}: timed out after {connect_timeout} s") from None
        except _ssl.SSLError as error:
            raise _tls.handshake_error(host, port, error, options, name or host) from None
        except OSError as error:
            raise ModelGateError("UNAVAILABLE", f"cannot connect to {host}:{port}: {error}") from None
        if context is not None:
            selected = writer.get_extra_info("ssl_object").selected_alpn_protocol()
            if selected not in (None, _tls.ALPN_PROTOCOL):
                writer.close()
                raise ModelGateError("UNAVAILABLE", f"TLS to {host}:{port}: the server chose ALPN protocol "
                                                    f"'{selected}', not '{_tls.ALPN_PROTOCOL}'")
        connection = cls(reader, writer, limits)
        if context is not None:
            connection._tls_failure = lambda error: _tls.handshake_error(host, port, error, options, name or host)
        settings = transport_pb2.Settings(
            max_frame_size=limits.max_frame_size, initial_stream_window=limits.stream_window,
            initial_connection_window=limits.connection_window)
        writer.write(frames.PREFACE + frames.encode_frame(frames.SETTINGS, 0, settings.SerializeToString()))
        connection._read_task = asyncio.get_running_loop().create_task(connection._read_loop())
        try:
            await asyncio.wait_for(asyncio.shield(connection._ready), connect_timeout)
        except asyncio.TimeoutError:
            await connection.close()
            raise ModelGateError("UNAVAILABLE", f"{host}:{port} sent no ModelGate/1 handshake within {connect_timeout} s") from None
        except ModelGateError:
            await connection.close()
            raise
        return connection

    @property
    def tls_version(self) -> Optional[str]:
        """The TLS version in use ("TLSv1.3"), None for plaintext."""
        ssl_object = self._writer.get_extra_info("ssl_object")
        return ssl_object.version() if ssl_object is not None else None

    @property
    def alpn_protocol(self) -> Optional[str]:
        """The ALPN protocol the server chose ("modelgate/1"), None for plaintext or a server that chose none."""
        ssl_object = self._writer.get_extra_info("ssl_object")
        return ssl_object.selected_alpn_protocol() if ssl_object is not None else None

    @property
    def is_usable(self) -> bool:
        """Whether new calls can start here (not closed, no GO_AWAY received)."""
        return self._closed_error is None and self._going_away is None

    async def close(self) -> None:
        """Closes the connection; open calls fail with UNAVAILABLE."""
        self._tear_down(ModelGateError("UNAVAILABLE", "connection closed by the client"))
        try:
            self._writer.close()
            await self._writer.wait_closed()
        except (OSError, ConnectionError):
            pass
        if self._read_task is not None and not self._read_task.done():
            self._read_task.cancel()
            try:
                await self._read_task
            except (asyncio.CancelledError, Exception):
                pass

    # Calls.

    async def open_stream(self, method: str, metadata: Optional[dict[str, str]] = None,
                          timeout: Optional[float] = None, request_id: str = "") -> Stream:
        """Opens a call: waits for a free stream slot, then sends its HEADERS."""
        while True:
            self._check_open()
            if len(self._streams) < self.peer_max_concurrent_streams:
                break
            waiter = asyncio.get_running_loop().create_future()
            self._slot_waiters.append(waiter)
            await waiter
        if self._next_id > frames.MAX_STREAM_ID:
            self._going_away = "stream ids exhausted"
            raise ModelGateError("UNAVAILABLE", "this connection has used up its stream ids; reconnect")
        headers = transport_pb2.CallHeaders(method=method, metadata=metadata or {}, request_id=request_id)
        if timeout is not None:
            headers.timeout_micros = max(1, int(timeout * 1_000_000))
        payload = headers.SerializeToString()
        stream_id = self._next_id
        self._next_id += 2
        stream = Stream(self, stream_id, method)
        self._streams[stream_id] = stream
        # Allocating the id and writing HEADERS happen without a suspension in
        # between, so ids go out strictly increasing.
        self._writer.write(frames.encode_frame(frames.HEADERS, stream_id, payload))
        await self._drain()
        return stream

    async def unary(self, method: str, request: bytes, metadata: Optional[dict[str, str]] = None,
                    timeout: Optional[float] = None) -> bytes:
        """One request, one response."""
        stream = await self.open_stream(method, metadata, timeout)
        try:
            return await _with_deadline(self._unary_body(stream, request), timeout, stream)
        except BaseException:
            stream.cancel()
            raise

    async def _unary_body(self, stream: Stream, request: bytes) -> bytes:
        await stream.send(request, end=True)
        response = None
        while True:
            message = await stream.read()
            if message is None:
                break
            if response is not None:
                raise ModelGateError("INTERNAL", f"the server sent more than one response to {stream.method}")
            response = message
        if response is None:
            raise ModelGateError("INTERNAL", f"the server ended {stream.method} without a response")
        return response

    # Internals: sending.

    def _check_open(self) -> None:
        if self._closed_error is not None:
            raise self._closed_error
        if self._going_away is not None:
            raise ModelGateError("UNAVAILABLE", f"server is going away: {self._going_away}")

    async def _write(self, data: bytes) -> None:
        if self._closed_error is not None:
            raise self._closed_error
        self._writer.write(data)
        await self._drain()

    async def _drain(self) -> None:
        try:
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            self._tear_down(ModelGateError("UNAVAILABLE", f"connection lost: {error}"))
            raise self._closed_error from None

    async def _send_message(self, stream: Stream, payload: bytes, end: bool) -> None:
        if len(payload) > self.peer_max_frame_size:
            raise ModelGateError("RESOURCE_EXHAUSTED",
                                 f"message of {len(payload)} bytes exceeds the server's limit of {self.peer_max_frame_size}")
        if stream.half_closed:
            raise ModelGateError("FAILED_PRECONDITION", "the request side of this call is already closed")
        while True:
            if stream.finished:
                raise stream.error or ModelGateError("FAILED_PRECONDITION", "the server already ended this call")
            if self._closed_error is not None:
                raise self._closed_error
            if stream.send_credit > 0 and self._send_credit > 0:
                break
            waiter = asyncio.get_running_loop().create_future()
            self._credit_waiters.append(waiter)
            await waiter
        cost = _cost(len(payload))
        stream.send_credit -= cost
        self._send_credit -= cost
        if end:
            stream.half_closed = True
        self._writer.write(frames.encode_frame(frames.MESSAGE, stream.id, payload,
                                               frames.END_STREAM if end else 0))
        await self._drain()

    def _wake_senders(self) -> None:
        waiters, self._credit_waiters = self._credit_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _wake_slot(self) -> None:
        waiters, self._slot_waiters = self._slot_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _send_control(self, data: bytes) -> None:
        if self._closed_error is None:
            self._writer.write(data)

    # Internals: receiving.

    def _consumed(self, stream: Stream, cost: int) -> None:
        """Returns credit for a message the application has read, in batches."""
        if self._closed_error is not None:
            return
        if not stream.finished and self._streams.get(stream.id) is stream:
            stream.unreturned += cost
            if stream.unreturned >= max(1, self.limits.stream_window // 4):
                self._send_control(frames.encode_window_update(stream.id, stream.unreturned))
                stream.recv_credit += stream.unreturned
                stream.unreturned = 0
        self._return_connection_credit(cost)

    def _return_connection_credit(self, cost: int) -> None:
        self._conn_unreturned += cost
        if self._conn_unreturned >= max(1, self.limits.connection_window // 4):
            self._send_control(frames.encode_window_update(0, self._conn_unreturned))
            self._recv_credit += self._conn_unreturned
            self._conn_unreturned = 0

    async def _read_loop(self) -> None:
        error: Optional[ModelGateError] = None
        try:
            while True:
                data = await self._reader.read(256 * 1024)
                if not data:
                    break
                for frame in self._decoder.feed(data):
                    self._handle(frame)
        except frames.ProtocolError as problem:
            error = ModelGateError("UNAVAILABLE", f"protocol error from the server: {problem}")
            goaway = transport_pb2.GoAway(last_stream_id=0, code=13, message=str(problem))
            self._send_control(frames.encode_frame(frames.GO_AWAY, 0, goaway.SerializeToString()))
        except _ssl.SSLError as problem:
            error = self._tls_failure(problem) if self._tls_failure else \
                ModelGateError("UNAVAILABLE", f"connection lost: {problem}")
        except (ConnectionError, OSError) as problem:
            error = ModelGateError("UNAVAILABLE", f"connection lost: {problem}")
        except asyncio.CancelledError:
            error = ModelGateError("UNAVAILABLE", "connection closed by the client")
        if error is None:
            reason = f": {self._going_away}" if self._going_away else ""
            error = ModelGateError("UNAVAILABLE", f"connection closed by the server{reason}")
        if self._tls_failure is not None and not self._settings_received and error.message.startswith("connection "):
            # A server that refuses a TLS client (after a TLS 1.3 handshake) may just close.
            error = ModelGateError("UNAVAILABLE", f"{error.message} before its ModelGate/1 handshake; over TLS, "
                                                  f"the server may require a client certificate it trusts "
                                                  f"(cert_file, key_file)")
        elif self._tls_failure is None and not self._settings_received and \
                error.message.startswith("connection closed by the server"):
            # A TLS server closes on a plaintext client's preface.
            error = ModelGateError("UNAVAILABLE", f"{error.message} before its ModelGate/1 handshake; "
                                                  f"if it serves TLS, connect with tls=TlsOptions(...)")
        self._tear_down(error)
        try:
            self._writer.close()
        except Exception:
            pass

    def _tear_down(self, error: ModelGateError) -> None:
        if self._closed_error is not None:
            return
        self._closed_error = error
        if not self._ready.done():
            self._ready.set_exception(error)
            self._ready.exception()  # retrieved here, so an unawaited failure is not logged
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            stream._finish(error)
        self._wake_senders()
        self._wake_slot()

    def _end_stream(self, stream: Stream, error: Optional[ModelGateError], send_cancel: bool) -> None:
        if self._streams.get(stream.id) is stream:
            del self._streams[stream.id]
            self._wake_slot()
        if send_cancel:
            self._send_control(frames.encode_frame(frames.CANCEL, stream.id))
            # Buffered messages will never be read: give their connection credit back now.
            while stream._messages:
                self._return_connection_credit(_cost(len(stream._messages.popleft())))
        stream._finish(error)

    def _check_opened(self, frame: frames.Frame) -> None:
        if frame.stream_id % 2 == 0 or frame.stream_id >= self._next_id:
            raise frames.ProtocolError(f"{frame.type_name} frame on stream {frame.stream_id}, which was never opened")

    def _handle(self, frame: frames.Frame) -> None:
        kind = frame.type
        if not self._settings_received and kind not in (frames.SETTINGS, frames.GO_AWAY):
            raise frames.ProtocolError(f"expected SETTINGS as the server's first frame, got {frame.type_name}")
        if kind == frames.MESSAGE:
            self._check_opened(frame)
            cost = _cost(len(frame.payload))
            if self._recv_credit <= 0:
                raise frames.ProtocolError("flow control: message sent beyond the connection window")
            self._recv_credit -= cost
            stream = self._streams.get(frame.stream_id)
            if stream is None:  # a call that ended here (cancelled): drop, but give the credit back
                self._return_connection_credit(cost)
                return
            if stream.recv_credit <= 0:
                raise frames.ProtocolError(f"flow control: message sent beyond the window of stream {stream.id}")
            stream.recv_credit -= cost
            stream._deliver(frame.payload)
        elif kind == frames.TRAILERS:
            self._check_opened(frame)
            stream = self._streams.get(frame.stream_id)
            if stream is None:
                return
            trailers = transport_pb2.Trailers()
            try:
                trailers.ParseFromString(frame.payload)
                error = None if trailers.code == 0 else ModelGateError.from_status(
                    trailers.code, trailers.message, trailers.details, trailers.request_id)
            except Exception as problem:  # the official parser's DecodeError
                error = ModelGateError("INTERNAL", f"malformed trailers from the server: {problem}")
            stream.trailers = trailers
            self._end_stream(stream, error, send_cancel=False)
        elif kind == frames.WINDOW_UPDATE:
            increment = frames.decode_window_update(frame)
            if frame.stream_id == 0:
                self._send_credit += increment
            else:
                self._check_opened(frame)
                stream = self._streams.get(frame.stream_id)
                if stream is not None:
                    stream.send_credit += increment
            self._wake_senders()
        elif kind == frames.CANCEL:
            self._check_opened(frame)
            stream = self._streams.get(frame.stream_id)
            if stream is not None:
                self._end_stream(stream, ModelGateError("CANCELLED", "call cancelled by the server"), send_cancel=False)
        elif kind == frames.PING:
            if not frame.flags & frames.ACK:
                self._send_control(frames.encode_frame(frames.PING, 0, frame.payload, frames.ACK))
        elif kind == frames.SETTINGS:
            self._apply_settings(frame.payload)
        elif kind == frames.GO_AWAY:
            self._on_go_away(frame.payload)
        else:  # HEADERS: only clients open streams
            raise frames.ProtocolError(f"{frame.type_name} frame from the server on stream {frame.stream_id}")

    def _apply_settings(self, payload: bytes) -> None:
        settings = transport_pb2.Settings()
        try:
            settings.ParseFromString(payload)
        except Exception as problem:
            raise frames.ProtocolError(f"malformed SETTINGS: {problem}") from None
        if settings.max_frame_size:
            self.peer_max_frame_size = settings.max_frame_size
        if settings.max_concurrent_streams:
            self.peer_max_concurrent_streams = settings.max_concurrent_streams
        if settings.max_header_size:
            self.peer_max_header_size = settings.max_header_size
        if settings.initial_stream_window:
            self._peer_stream_window = settings.initial_stream_window
        if not self._settings_received:
            if settings.initial_connection_window:
                self._send_credit = settings.initial_connection_window
            self._settings_received = True
            if not self._ready.done():
                self._ready.set_result(None)
        self._wake_slot()

    def _on_go_away(self, payload: bytes) -> None:
        goaway = transport_pb2.GoAway()
        try:
            goaway.ParseFromString(payload)
        except Exception:
            goaway = transport_pb2.GoAway()
        reason = goaway.message or ModelGateError.from_status(goaway.code).code
        self._going_away = reason
        for stream_id in [sid for sid in self._streams if sid > goaway.last_stream_id]:
            self._end_stream(self._streams[stream_id], ModelGateError(
                "UNAVAILABLE", f"call not processed: server is going away ({reason})"), send_cancel=False)
        if not self._settings_received and not self._ready.done():
            code = "UNAVAILABLE" if goaway.code == 0 else ModelGateError.from_status(goaway.code).code
            self._ready.set_exception(ModelGateError(code, f"server refused the connection: {reason}"))
        self._wake_slot()


async def _with_deadline(awaitable, timeout: Optional[float], stream: Stream):
    """Awaits a call's body; past the timeout the call is cancelled and DEADLINE_EXCEEDED raised."""
    if timeout is None:
        return await awaitable
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        stream.cancel("deadline exceeded")
        raise ModelGateError("DEADLINE_EXCEEDED", f"{stream.method} took longer than {timeout} s") from None
