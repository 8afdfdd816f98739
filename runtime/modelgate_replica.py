#!/usr/bin/env python3
"""ModelGate replica: runs a user's Azure-style ``score.py`` and serves it to the server.

    python3 modelgate_replica.py --socket PATH --entry-script /abs/score.py \\
        --source-dir DIR --model-dir DIR [--max-concurrent N] [--replica-id ID]

It changes to the source directory, sets ``AZUREML_MODEL_DIR`` and ``AZUREML_ENTRY_SCRIPT``,
imports the script, calls ``init()`` once, then connects to the server's Unix socket and
answers SCORE frames by calling ``run()`` the way Azure's inference server does. See
``README.md`` and ``PROTOCOL.md`` next to this file. Standard library only.

Exit codes: 0 after GOAWAY/SIGTERM drained or when the server closed the connection;
2 bad arguments; 3 the script failed to import or ``init()`` raised (INIT_FAILED was sent);
4 the server broke the protocol; 5 the socket could not be used.
"""

import argparse
import atexit
import itertools
import json
import os
import platform
import socket
import sys
import time
import traceback

if sys.version_info < (3, 9):
    sys.stderr.write("[modelgate-replica] ERROR: Python 3.9 or later is required, this is %s\n" % sys.version.split()[0])
    sys.exit(2)

_HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
if _HARNESS_DIR not in sys.path:
    sys.path.insert(0, _HARNESS_DIR)

from modelgate_harness import HARNESS_VERSION, compat, frames, log  # noqa: E402
from modelgate_harness.replica import EXIT_SOCKET_ERROR, Replica  # noqa: E402
from modelgate_harness.scoring import Scorer  # noqa: E402
from modelgate_harness.user_script import (  # noqa: E402
    UserScript,
    UserScriptImportError,
    entry_script_env_value,
)

EXIT_INIT_FAILED = 3
MODEL_DIR_LOG_LINE_LIMIT = 200


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Run an Azure-style score.py as a ModelGate replica.")
    parser.add_argument("--socket", required=True, help="the server's Unix socket to connect to")
    parser.add_argument("--entry-script", required=True, help="the user's score.py (absolute, or relative to --source-dir)")
    parser.add_argument("--source-dir", required=True, help="the unpacked source directory; becomes the working directory")
    parser.add_argument("--model-dir", required=True, help="the model files; becomes AZUREML_MODEL_DIR")
    parser.add_argument("--max-concurrent", type=int, default=1, help="run() calls at once (default 1)")
    parser.add_argument("--replica-id", default="", help="this replica's id, echoed in READY and the log prefix")
    parser.add_argument("--max-frame-bytes", type=int, default=frames.DEFAULT_MAX_PAYLOAD,
                        help="largest frame payload accepted or sent (default 64 MiB)")
    parser.add_argument("--frame-timeout", type=float, default=30.0,
                        help="seconds a frame may take to arrive once it has begun (default 30)")
    parser.add_argument("--no-access-log", action="store_true", help="do not log one line per request")
    args = parser.parse_args(argv)
    if args.max_concurrent < 1:
        parser.error("--max-concurrent must be at least 1")
    if args.max_frame_bytes < 1024:
        parser.error("--max-frame-bytes must be at least 1024")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    log.set_replica_id(args.replica_id)
    _line_buffer_output()

    source_dir = os.path.abspath(args.source_dir)
    entry_script = os.path.join(source_dir, args.entry_script) if not os.path.isabs(args.entry_script) else args.entry_script
    model_dir = os.path.abspath(args.model_dir)

    os.chdir(source_dir)
    os.environ["AZUREML_MODEL_DIR"] = model_dir
    os.environ["AZUREML_ENTRY_SCRIPT"] = entry_script_env_value(entry_script, source_dir)
    os.environ.setdefault("AML_APP_ROOT", source_dir)
    # The user's modules, not the harness's, must win name clashes; the script sees itself
    # as argv[0], not our flags.
    sys.path[:] = [source_dir] + [entry for entry in sys.path if os.path.abspath(entry or ".") != _HARNESS_DIR]
    sys.argv = [entry_script]
    shimmed = compat.install_shims()

    log.info("loading %s (source dir %s, model dir %s, python %s, pid %d)"
             % (entry_script, source_dir, model_dir, platform.python_version(), os.getpid()))
    script = UserScript(entry_script)
    stage = "import"
    try:
        started = time.perf_counter()
        script.load()
        import_ms = (time.perf_counter() - started) * 1000
        log.info(script.describe())
        stage = "init"
        started = time.perf_counter()
        script.init()
        init_ms = (time.perf_counter() - started) * 1000
    except BaseException as ex:
        return _init_failed(args, stage, ex, model_dir)
    log.info("init() completed in %.1f ms" % init_ms)

    sock = _connect(args.socket)
    if sock is None:
        return EXIT_SOCKET_ERROR
    ready = {
        "replica_id": args.replica_id,
        "pid": os.getpid(),
        "python": platform.python_version(),
        "init_ms": round(init_ms, 3),
        "import_ms": round(import_ms, 3),
        "max_concurrent": args.max_concurrent,
        "harness_version": HARNESS_VERSION,
        "run_input": script.mode,
        "request_headers": script.wants_request_headers,
        "shims": shimmed,
        "schema": script.schema_description(),
    }
    replica = Replica(sock, Scorer(script, access_log=not args.no_access_log), args.max_concurrent,
                      max_payload=args.max_frame_bytes, frame_timeout=args.frame_timeout)
    if not replica.send(frames.READY, 0, 0, _json_bytes(ready)):
        replica.close()
        return EXIT_SOCKET_ERROR
    log.info("ready: serving up to %d request(s) at once" % args.max_concurrent)
    code = replica.serve()
    busy = replica.busy
    replica.close()
    if busy:
        log.info("exiting with %d run() call(s) still running (their results are dropped)" % busy)
    else:
        # Let the script's atexit handlers (logging.shutdown among them) run, as at a normal exit.
        try:
            atexit._run_exitfuncs()
        except BaseException as ex:
            log.warning("an atexit handler raised: %s" % ex)
    # os._exit, not sys.exit: the interpreter would wait for run() threads, which cannot be
    # stopped, and for any non-daemon thread the script started, and never exit.
    _flush()
    os._exit(code)


def _init_failed(args, stage, ex, model_dir):
    """Reports a failed import or ``init()`` to stderr and the server, as Azure logs it."""
    text = "".join(traceback.format_exception(type(ex), ex, ex.__traceback__))
    if isinstance(ex, UserScriptImportError) and ex.__cause__ is not None:
        cause = ex.__cause__
        text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        error = "%s: %s" % (ex, traceback.format_exception_only(type(cause), cause)[-1].strip())
    elif stage == "init":
        error = "User's init function failed: %s" % traceback.format_exception_only(type(ex), ex)[-1].strip()
    else:
        error = str(ex) or type(ex).__name__
    log.error(error)
    log.error("Encountered Exception %s" % text)
    if stage == "init" and os.path.isdir(model_dir):
        log.info("Model Directory Contents:")
        tree = _walk(model_dir)
        for line in itertools.islice(tree, MODEL_DIR_LOG_LINE_LIMIT):
            log.info(line)
        if next(tree, None) is not None:
            log.info("Output Truncated. First %d lines shown." % MODEL_DIR_LOG_LINE_LIMIT)
    sock = _connect(args.socket)
    if sock is not None:
        try:
            sock.sendall(frames.encode_frame(frames.INIT_FAILED, 0, 0, _json_bytes({"error": error, "traceback": text})))
        except OSError as send_error:
            log.error("cannot send INIT_FAILED: %s" % send_error)
        finally:
            sock.close()
    _flush()
    # Threads the script started must not keep a failed replica alive.
    os._exit(EXIT_INIT_FAILED)


def _connect(path):
    """Connects and sends the preface; logs and returns None on failure."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        sock.sendall(frames.PREFACE)
    except OSError as ex:
        log.error("cannot connect to the server at %s: %s" % (path, ex))
        sock.close()
        return None
    return sock


def _walk(path, depth=0):
    name = os.path.basename(os.path.normpath(path))
    indent = "    " * depth
    if os.path.isdir(path):
        yield "%s%s%s" % (indent, name, os.sep)
        try:
            children = sorted(os.listdir(path))
        except OSError:
            children = []
        for child in children:
            yield from _walk(os.path.join(path, child), depth + 1)
    else:
        yield "%s%s" % (indent, name)


def _json_bytes(value):
    return json.dumps(value, separators=(",", ":"), default=str).encode("utf-8")


def _line_buffer_output():
    # The server reads the user's output through a pipe; without this, print() lines would
    # sit in Python's block buffer and reach the log late, or never if the process dies.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        _flush()
        os._exit(130)
