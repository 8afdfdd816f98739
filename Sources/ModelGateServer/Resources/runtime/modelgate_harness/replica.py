"""The replica's side of the connection to the server, after ``init()`` succeeded.

The main thread reads frames, as many per ``recv`` as have arrived. Every write to the socket
holds one lock, so frames never interleave.

With ``max_concurrent`` 1 (Azure's setting, and the default), ``run()`` is called on the
main thread itself, between reads: a request costs no hand-over to another thread (each
wake-up of a sleeping thread is a good part of a fast request's cost). The frames that
arrive while ``run()`` calls go on are read once they end; but if the socket has gone
unread for ``TAKEOVER_SECONDS`` (a long ``run()``), a standby thread reads it meanwhile, so
that PING is still answered (the server's liveness probe allows seconds), CANCEL and GOAWAY
still take effect, and a closed connection or a protocol error still ends the process at
once. Main and standby take turns with one lock: whoever holds it reads the socket.

With ``max_concurrent`` above 1, ``run()`` calls happen on that many long-lived worker
threads that take requests from one queue (a C ``SimpleQueue``: a hand-over is a put, with
no future, lock or thread created per request), and the main thread only reads.

Python threads share the GIL: ``run()`` calls overlap only while they wait (I/O,
``time.sleep``) or run code that releases the GIL (NumPy, most native ML libraries).
Pure-Python CPU work does not get faster with more threads; more replicas are the way to
scale that.

A thread cannot be stopped from outside, so CANCEL and the scoring timeout only drop the
result: the call itself runs to its end and keeps its thread busy until then.
"""

import collections
import heapq
import os
import queue
import select
import signal
import sys
import threading
import time

from . import frames, log
from .frames import FrameReader, ProtocolError
from .scoring import INTERNAL_ERROR_MESSAGE, ScoreRequest, error_outcome, exception_line

EXIT_OK = 0
EXIT_PROTOCOL_ERROR = 4
EXIT_SOCKET_ERROR = 5


class Pending:
    """A SCORE the server still waits for; ``answered`` once a RESULT is on its way or the
    request was cancelled, so that exactly one answer is ever sent."""

    __slots__ = ("request", "started", "answered")

    def __init__(self, request):
        self.request = request
        self.started = False
        self.answered = False


class Replica:
    """Serves SCORE frames until GOAWAY, SIGTERM, the server closing, or a protocol error."""

    # How long inline run() calls may leave the socket unread before the standby reads it.
    TAKEOVER_SECONDS = 0.2
    # How often the standby, while it reads, checks whether the main thread wants to again.
    STANDBY_POLL_SECONDS = 0.02

    def __init__(self, sock, scorer, max_concurrent, max_payload=frames.DEFAULT_MAX_PAYLOAD, frame_timeout=30.0):
        self._sock = sock
        self._scorer = scorer
        self._max_payload = max_payload
        self._reader = FrameReader(sock, max_payload=max_payload, frame_timeout=frame_timeout)
        self._inline = max_concurrent == 1
        self._queue = queue.SimpleQueue()
        self._ready = collections.deque()
        self._workers = []
        if self._inline:
            # Held by whichever thread reads the socket: the main thread, or the standby
            # while the main thread runs requests for too long.
            self._read_lock = threading.Lock()
            self._unread_since = None
            self._want_read = False
            self._standby = threading.Thread(target=self._stand_by, name="modelgate-standby", daemon=True)
            self._standby.start()
        else:
            self._workers = [
                threading.Thread(target=self._work, name="modelgate-run-%d" % index, daemon=True)
                for index in range(max_concurrent)
            ]
            for worker in self._workers:
                worker.start()
        self._write_lock = threading.Lock()
        self._state = threading.Lock()
        self._pending = {}
        self._busy = 0
        self._draining = False
        self._peer_gone = False
        self._sigterm = False
        self._wake_read, self._wake_write = os.pipe()
        # One poller for the life of the connection, not one per wait.
        self._poller = select.poll()
        self._poller.register(self._sock, select.POLLIN | select.POLLHUP | select.POLLERR)
        self._poller.register(self._wake_read, select.POLLIN)
        self._deadlines = []
        self._deadline_cv = threading.Condition(self._state)
        self._watchdog = None

    @property
    def busy(self):
        """How many ``run()`` calls are executing right now (cancelled ones included)."""
        with self._state:
            return self._busy

    # Writing -------------------------------------------------------------------------------

    def send(self, frame_type, flags, frame_id, payload=b""):
        """Writes one frame; returns False (and wakes the reader) if the server is gone."""
        data = frames.encode_frame(frame_type, flags, frame_id, payload)
        with self._write_lock:
            if self._peer_gone:
                return False
            try:
                self._sock.sendall(data)
                return True
            except OSError as ex:
                self._peer_gone = True
                log.warning("cannot write to the server (%s); stopping" % ex)
        self._wake()
        return False

    def _wake(self):
        try:
            os.write(self._wake_write, b"!")
        except OSError:
            pass

    # Reading -------------------------------------------------------------------------------

    def serve(self):
        """Runs the read loop; returns the process exit code."""
        previous = signal.getsignal(signal.SIGTERM)
        try:
            signal.signal(signal.SIGTERM, self._on_sigterm)
        except ValueError:  # not the main thread (tests); SIGTERM keeps its default
            previous = None
        try:
            return self._loop()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def _loop(self):
        if self._inline:
            self._read_lock.acquire()
        while True:
            if self._sigterm and not self._draining:
                self._begin_drain("SIGTERM")
            with self._state:
                if self._draining and not self._pending:
                    log.info("drained; exiting")
                    return EXIT_OK
            if self._peer_gone:
                return EXIT_OK
            if self._ready:
                self._run_ready()
                continue
            code = self._read_once(None)
            if code is not None:
                return code

    def _read_once(self, poll_timeout):
        """Waits for the socket (at most ``poll_timeout`` seconds, None: no limit) and
        handles every frame that has arrived; returns an exit code when the replica must
        stop, else None."""
        reader = self._reader
        try:
            timeout = reader.timeout()
            if poll_timeout is not None:
                timeout = poll_timeout if timeout is None else min(timeout, poll_timeout)
            events = self._poller.poll(None if timeout is None else int(timeout * 1000) + 1)
            readable = False
            for fd, _ in events:
                if fd == self._wake_read:
                    os.read(self._wake_read, 4096)
                else:
                    readable = True
            if not readable:
                reader.check_deadline()
                return None
            if not reader.fill():
                with self._state:
                    left = sum(1 for pending in self._pending.values() if not pending.answered)
                if left:
                    log.warning("the server closed the connection; dropping %d unanswered request(s)" % left)
                else:
                    log.info("the server closed the connection; exiting")
                return EXIT_OK
            while True:
                frame = reader.next_frame()
                if frame is None:
                    break
                self._dispatch(*frame)
            reader.check_deadline()
            return None
        except ProtocolError as ex:
            log.error("protocol error from the server: %s; exiting" % ex)
            return EXIT_PROTOCOL_ERROR
        except (ConnectionResetError, BrokenPipeError):
            log.info("the server closed the connection; exiting")
            return EXIT_OK
        except OSError as ex:
            log.error("socket error: %s; exiting" % ex)
            return EXIT_SOCKET_ERROR

    # Inline running (max_concurrent 1) ----------------------------------------------------

    def _run_ready(self):
        """Runs the requests read so far on this (the main) thread, leaving the socket to
        the standby meanwhile; returns holding the read lock again."""
        self._unread_since = time.monotonic()
        self._read_lock.release()
        try:
            while True:
                with self._state:
                    if not self._ready:
                        break
                    pending = self._ready.popleft()
                self._run(pending)
        finally:
            self._want_read = True
            self._read_lock.acquire()
            self._want_read = False
            self._unread_since = None

    def _stand_by(self):
        """The standby thread: reads the socket while inline ``run()`` calls keep the main
        thread away from it for longer than ``TAKEOVER_SECONDS``."""
        while True:
            time.sleep(self.TAKEOVER_SECONDS / 2)
            since = self._unread_since
            if since is None or time.monotonic() - since < self.TAKEOVER_SECONDS:
                continue
            if not self._read_lock.acquire(blocking=False):
                continue
            try:
                while not self._want_read and self._unread_since is not None and not self._peer_gone:
                    code = self._read_once(self.STANDBY_POLL_SECONDS)
                    if code is not None:
                        self._exit_now(code)
            finally:
                self._read_lock.release()

    def _exit_now(self, code):
        """Ends the process from the standby thread, as ``modelgate_replica.main`` does
        when ``serve()`` returns while a ``run()`` call is still running."""
        log.info("exiting with %d run() call(s) still running (their results are dropped)" % self.busy)
        self.close()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)

    def _dispatch(self, frame_type, flags, frame_id, payload):
        if frame_type == frames.SCORE:
            self._on_score(frame_id, payload)
        elif frame_type == frames.CANCEL:
            self._on_cancel(frame_id)
        elif frame_type == frames.PING:
            if not flags & frames.FLAG_ACK:
                self.send(frames.PING, frames.FLAG_ACK, 0, payload)
        elif frame_type == frames.GOAWAY:
            self._begin_drain("GOAWAY")

    def _on_score(self, frame_id, payload):
        meta, body = frames.decode_meta_payload(payload)
        request = ScoreRequest(frame_id, meta, body)
        pending = Pending(request)
        with self._state:
            if frame_id in self._pending:
                raise ProtocolError("SCORE id %d is already in flight" % frame_id)
            draining = self._draining
            if not draining:
                self._pending[frame_id] = pending
        if draining:
            outcome = error_outcome(503, "The replica is shutting down and takes no new requests.")
            self._send_result(frame_id, outcome)
            return
        if self._inline:
            self._ready.append(pending)  # the main thread runs it after this read
        else:
            self._queue.put(pending)

    def _on_cancel(self, frame_id):
        with self._state:
            pending = self._pending.get(frame_id)
            if pending is None or pending.answered:
                return  # already answered: the RESULT crossed the CANCEL
            pending.answered = True
            del self._pending[frame_id]
            wake = self._draining and not self._pending
        started = pending.started
        log.info("request %d cancelled%s" % (frame_id, "; its run() goes on, and its result will be dropped" if started else ""))
        if wake:
            self._wake()

    def _begin_drain(self, reason):
        with self._state:
            if self._draining:
                return
            self._draining = True
            count = sum(1 for pending in self._pending.values() if not pending.answered)
        log.info("%s: finishing %d in-flight request(s), then exiting" % (reason, count))

    def _on_sigterm(self, signum, frame):
        self._sigterm = True
        self._wake()

    # Running -------------------------------------------------------------------------------

    def _work(self):
        """A worker thread: runs queued requests one at a time until the sentinel None."""
        take = self._queue.get
        while True:
            pending = take()
            if pending is None:
                return
            self._run(pending)

    def _run(self, pending):
        request = pending.request
        with self._state:
            if pending.answered:
                return  # cancelled while queued: never runs
            pending.started = True
            self._busy += 1
            if request.timeout_ms:
                self._schedule_deadline(pending, time.monotonic() + request.timeout_ms / 1000.0)
        try:
            outcome = self._scorer.score(request)
        except BaseException as ex:  # a bug in the harness must still answer the request
            log.error("internal error scoring request %d: %s" % (request.frame_id, exception_line(ex)))
            outcome = error_outcome(500, INTERNAL_ERROR_MESSAGE)
            outcome.error = "internal error in the replica harness: %s" % exception_line(ex)
        finally:
            with self._state:
                self._busy -= 1
        self._answer(pending, outcome)

    def _answer(self, pending, outcome):
        """Sends the one RESULT of ``pending``, unless it was cancelled or answered already."""
        frame_id = pending.request.frame_id
        with self._state:
            if pending.answered or self._pending.get(frame_id) is not pending:
                return
            pending.answered = True
        self._send_result(frame_id, outcome)
        with self._state:
            if self._pending.get(frame_id) is pending:
                del self._pending[frame_id]
            wake = self._draining and not self._pending
        if wake:
            self._wake()

    def _send_result(self, frame_id, outcome):
        payload = frames.encode_meta_payload(outcome.meta(), outcome.body)
        if len(payload) > self._max_payload:
            detail = "the response of %d bytes exceeds the replica frame limit of %d bytes" % (
                len(outcome.body), self._max_payload)
            log.error("request %d: %s" % (frame_id, detail))
            replacement = error_outcome(500, INTERNAL_ERROR_MESSAGE)
            replacement.error = detail
            replacement.run_ms = outcome.run_ms
            payload = frames.encode_meta_payload(replacement.meta(), replacement.body)
        self.send(frames.RESULT, 0, frame_id, payload)

    # Scoring timeout -------------------------------------------------------------------------

    def _schedule_deadline(self, pending, deadline):
        """Called with ``self._state`` held."""
        heapq.heappush(self._deadlines, (deadline, id(pending), pending))
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._watch_deadlines, name="modelgate-timeouts", daemon=True)
            self._watchdog.start()
        self._deadline_cv.notify()

    def _watch_deadlines(self):
        while True:
            with self._state:
                while True:
                    now = time.monotonic()
                    if self._deadlines and self._deadlines[0][0] <= now:
                        _, _, pending = heapq.heappop(self._deadlines)
                        if pending.answered:
                            continue
                        break
                    wait = self._deadlines[0][0] - now if self._deadlines else None
                    self._deadline_cv.wait(wait)
            request = pending.request
            log.error("request %d: run() is still running after its scoring timeout of %s ms; answering 500 "
                      "(the call goes on and its result will be dropped)" % (request.frame_id, request.timeout_ms))
            self._answer(pending, self._scorer.timeout_outcome(request))

    # Shutting down ---------------------------------------------------------------------------

    def close(self):
        """Closes the socket and stops the pool without waiting for running calls."""
        try:
            self._sock.close()
        except OSError:
            pass
        with self._state:
            for pending in self._pending.values():
                pending.answered = True  # queued requests never run
        for _ in self._workers:
            self._queue.put(None)
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass
