"""The replica protocol: start-up, concurrency, control frames, shutdown, bad frames."""

import json
import signal
import struct
import time

import pytest

from fake_server import ACK, CANCEL, GOAWAY, INIT_FAILED, PING, READY, RESULT, SCORE, Closed


def read_init_failed(server):
    server.accept()
    frame_type, flags, frame_id, payload = server.read_frame()
    assert (frame_type, frame_id) == (INIT_FAILED, 0), (frame_type, payload)
    return json.loads(payload)


def test_ready_describes_the_replica(start):
    server = start("echo.py", max_concurrent=3)
    ready = server.ready()
    assert ready["replica_id"] == "test-replica"
    assert ready["pid"] == server.process.pid
    assert ready["python"].count(".") == 2
    assert ready["init_ms"] >= 0
    assert ready["max_concurrent"] == 3
    assert "azureml.contrib.services" in ready["shims"]


def test_an_import_error_sends_init_failed_with_the_traceback_and_exits_3(start):
    server = start("import_error.py")
    failure = read_init_failed(server)
    assert "No module named 'no_such_module_for_modelgate_tests'" in failure["error"]
    assert "Failed to import user script" in failure["error"]
    assert failure["traceback"].startswith("Traceback")
    assert "score.py" in failure["traceback"]
    assert server.wait_exit() == 3
    assert "ModuleNotFoundError" in server.stderr()


def test_init_raising_sends_init_failed_and_exits_3(start):
    server = start("init_error.py", model_files={"weights.bin": "x"})
    failure = read_init_failed(server)
    assert failure["error"] == "User's init function failed: RuntimeError: model file is missing"
    assert "in init" in failure["traceback"]
    assert server.wait_exit() == 3
    stderr = server.stderr()
    assert "RuntimeError: model file is missing" in stderr
    assert "Model Directory Contents:" in stderr and "weights.bin" in stderr


@pytest.mark.parametrize(
    "script, message",
    [
        ("bad_signature.py", "run() cannot accept positional-only arguments, *args, or **kwargs."),
        ("no_run.py", "does not have a run() function defined."),
    ],
)
def test_a_script_azure_would_refuse_sends_init_failed(start, script, message):
    server = start(script)
    assert message in read_init_failed(server)["error"]
    assert server.wait_exit() == 3


def test_runs_up_to_max_concurrent_calls_at_once(start):
    server = start("slow.py", max_concurrent=4)
    server.ready()
    began = time.monotonic()
    for frame_id in range(1, 5):
        server.score(frame_id, "0.4")
    for frame_id in range(1, 5):
        meta, body = server.result(frame_id)
        assert (meta["status"], body) == (200, b'"done"')
    elapsed = time.monotonic() - began
    # One after another they would take 1.6 s.
    assert elapsed < 1.0, "4 concurrent 0.4 s calls took %.2f s" % elapsed


def test_max_concurrent_one_runs_calls_one_after_another(start):
    server = start("slow.py", max_concurrent=1)
    server.ready()
    began = time.monotonic()
    server.score(1, "0.2")
    server.score(2, "0.2")
    server.result(1)
    server.result(2)
    assert time.monotonic() - began >= 0.4


def test_ping_is_answered_with_the_same_bytes_and_ack(start):
    server = start("echo.py")
    server.ready()
    server.send_frame(PING, 0, 0, b"\x01\x02\x03\x04\x05\x06\x07\x08")
    assert server.read_frame() == (PING, ACK, 0, b"\x01\x02\x03\x04\x05\x06\x07\x08")
    # An ACK from the server (an answer to nothing) is ignored, not echoed.
    server.send_frame(PING, ACK, 0, b"abcdefgh")
    server.send_frame(PING, 0, 0, b"12345678")
    assert server.read_frame() == (PING, ACK, 0, b"12345678")


def test_ping_is_answered_while_every_run_thread_is_busy(start):
    server = start("slow.py", max_concurrent=1)
    server.ready()
    server.score(1, "3")
    server.send_frame(PING, 0, 0, b"liveness")
    # The answer comes long before the 3 s run() ends.
    assert server.read_frame(timeout=1.5) == (PING, ACK, 0, b"liveness")


def test_goaway_finishes_in_flight_requests_then_exits_0(start):
    server = start("slow.py", max_concurrent=2)
    server.ready()
    server.score(1, "0.3")
    server.score(2, "0.3")
    server.send_frame(GOAWAY, 0, 0)
    server.score(3, "0")  # after GOAWAY: refused, not run
    meta, _ = server.result(3)
    assert meta["status"] == 503
    assert server.result(1)[0]["status"] == 200
    assert server.result(2)[0]["status"] == 200
    with pytest.raises(Closed):
        server.read_frame(timeout=5)
    assert server.wait_exit() == 0


def test_goaway_exits_despite_a_non_daemon_thread_and_runs_atexit_handlers(start):
    server = start("background_thread.py")
    server.ready()
    assert server.call(1, "x")[0]["status"] == 200
    server.send_frame(GOAWAY, 0, 0)
    assert server.wait_exit(timeout=5) == 0
    assert "atexit ran" in server.stdout()


def test_sigterm_drains_like_goaway(start):
    server = start("slow.py")
    server.ready()
    server.score(1, "0.3")
    # Frames are handled in order: once the PING is answered, the SCORE is in flight.
    server.send_frame(PING, 0, 0, b"in-order")
    assert server.read_frame() == (PING, ACK, 0, b"in-order")
    server.process.send_signal(signal.SIGTERM)
    assert server.result(1)[0]["status"] == 200
    assert server.wait_exit() == 0


def test_cancel_drops_the_result_and_the_replica_keeps_serving(start):
    server = start("slow.py", max_concurrent=2)
    server.ready()
    server.score(1, "0.3")
    server.score(2, "0.05")
    server.send_frame(CANCEL, 0, 1)
    assert server.result(2)[0]["status"] == 200
    time.sleep(0.4)  # request 1's run() has ended by now
    server.send_frame(PING, 0, 0, b"after---")
    while True:
        frame_type, flags, frame_id, payload = server.read_frame()
        assert frame_type != RESULT, "a cancelled request was answered"
        if frame_type == PING:
            break
    # The id may be used again once its request is done.
    assert server.call(1, "0")[0]["status"] == 200


def test_cancel_of_a_queued_request_means_it_never_runs(start):
    server = start("slow.py", max_concurrent=1)
    server.ready()
    server.score(1, "0.5")
    server.score(2, "5")  # queued behind 1; would take 5 s if it ran
    server.send_frame(CANCEL, 0, 2)
    assert server.result(1)[0]["status"] == 200
    began = time.monotonic()
    assert server.call(3, "0")[0]["status"] == 200
    assert time.monotonic() - began < 1


def test_the_server_closing_the_socket_makes_the_harness_exit(start):
    server = start("slow.py")
    server.ready()
    server.score(1, "5")
    server.conn.close()
    server.conn = None
    assert server.wait_exit(timeout=3) == 0


def score_payload(meta, body=b""):
    meta_bytes = json.dumps(meta).encode() if not isinstance(meta, bytes) else meta
    return struct.pack(">I", len(meta_bytes)) + meta_bytes + body


HEADER = struct.Struct(">IBBI")

MALFORMED = {
    "unknown frame type": HEADER.pack(0, 0x7F, 0, 0),
    "replica-only frame type": HEADER.pack(2, RESULT, 0, 1) + b"{}",
    "READY from the server": HEADER.pack(0, READY, 0, 0),
    "payload over the limit": HEADER.pack(0xFFFFFFFF, SCORE, 0, 1),
    "short ping": HEADER.pack(7, PING, 0, 0) + b"1234567",
    "ping on a request id": HEADER.pack(8, PING, 0, 3) + b"12345678",
    "score on id 0": HEADER.pack(len(score_payload({})), SCORE, 0, 0) + score_payload({}),
    "meta overruns the payload": HEADER.pack(8, SCORE, 0, 1) + struct.pack(">I", 100) + b"{}  ",
    "meta is not json": HEADER.pack(len(score_payload(b"{nope")), SCORE, 0, 1) + score_payload(b"{nope"),
    "meta is not an object": HEADER.pack(len(score_payload(b"[1]")), SCORE, 0, 1) + score_payload(b"[1]"),
    "headers of the wrong type": HEADER.pack(len(score_payload({"headers": [1]})), SCORE, 0, 1)
    + score_payload({"headers": [1]}),
    "negative timeout": HEADER.pack(len(score_payload({"timeout_ms": -1})), SCORE, 0, 1)
    + score_payload({"timeout_ms": -1}),
    "cancel with a payload": HEADER.pack(1, CANCEL, 0, 1) + b"x",
    "unknown flag": HEADER.pack(0, GOAWAY, 0x80, 0),
    "truncated frame then close": HEADER.pack(100, SCORE, 0, 1) + b"abc",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_frame_makes_the_harness_exit_non_zero_quickly(start, name):
    server = start("echo.py")
    server.ready()
    server.send_raw(MALFORMED[name])
    if name.startswith("truncated"):
        server.conn.close()
        server.conn = None
    began = time.monotonic()
    code = server.wait_exit(timeout=5)
    assert code == 4, server.stderr()
    assert time.monotonic() - began < 2
    assert "protocol error" in server.stderr()


def test_a_duplicate_in_flight_id_is_a_protocol_error(start):
    server = start("slow.py", max_concurrent=2)
    server.ready()
    server.score(7, "1")
    server.score(7, "1")
    assert server.wait_exit(timeout=5) == 4
    assert "already in flight" in server.stderr()


def test_a_frame_that_stalls_midway_makes_the_harness_exit(start):
    server = start("echo.py", extra_args=("--frame-timeout", "0.3"))
    server.ready()
    server.send_raw(HEADER.pack(100, SCORE, 0, 1) + b"abc")
    assert server.wait_exit(timeout=3) == 4
    assert "timed out reading" in server.stderr()


def test_an_unreachable_socket_exits_5(start):
    server = start("echo.py")
    server.listener.close()
    server.listener = None
    import os

    os.unlink(server.socket_path)
    assert server.wait_exit(timeout=10) == 5
    assert "cannot connect" in server.stderr()


def test_a_malformed_frame_during_a_long_run_still_ends_the_harness_at_once(start):
    # With --max-concurrent 1, run() is called on the reading thread; the standby thread
    # reads the socket meanwhile, so a bad frame is not noticed only after run() ends.
    server = start("slow.py", max_concurrent=1)
    server.ready()
    server.score(1, "5")
    time.sleep(0.1)
    began = time.monotonic()
    server.send_raw(MALFORMED["unknown frame type"])
    assert server.wait_exit(timeout=4) == 4, server.stderr()
    assert time.monotonic() - began < 2
    assert "protocol error" in server.stderr()
