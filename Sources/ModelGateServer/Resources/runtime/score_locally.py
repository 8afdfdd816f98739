#!/usr/bin/env python3
"""Try a score.py through the replica harness by hand, without the ModelGate server.

    python3 Sources/ModelGateServer/Resources/runtime/score_locally.py --source-dir ./src --entry-script score.py \\
        --model-dir ./model --body '{"data": [[1, 2, 3]]}' --header content-type:application/json

It plays the server's part of PROTOCOL.md: listens on a temporary Unix socket, starts
``modelgate_replica.py`` (whose log goes to this terminal), sends one SCORE per ``--body``
(or stdin if none is given), prints each RESULT, then sends GOAWAY and waits for the exit.
Standard library only.
"""

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from modelgate_harness import frames  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", default=".")
    parser.add_argument("--entry-script", default="score.py")
    parser.add_argument("--model-dir", default=".")
    parser.add_argument("--body", action="append", help="a request body (repeat for several requests)")
    parser.add_argument("--header", action="append", default=[], help="NAME:VALUE, for every request")
    parser.add_argument("--method", default="POST")
    parser.add_argument("--query", default="")
    parser.add_argument("--timeout-ms", type=int, default=0)
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the user's environment")
    args = parser.parse_args()
    bodies = args.body if args.body is not None else [sys.stdin.read()]
    headers = dict(item.split(":", 1) for item in args.header)

    with tempfile.TemporaryDirectory(prefix="mg-score-") as directory:
        path = os.path.join(directory, "replica.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        process = subprocess.Popen([
            args.python, os.path.join(HERE, "modelgate_replica.py"), "--socket", path,
            "--entry-script", os.path.abspath(os.path.join(args.source_dir, args.entry_script)),
            "--source-dir", args.source_dir, "--model-dir", args.model_dir, "--replica-id", "local",
        ])
        conn, _ = listener.accept()
        reader = conn.makefile("rb")
        if reader.read(len(frames.PREFACE)) != frames.PREFACE:
            sys.exit("the harness sent no preface")

        def read_frame():
            header = reader.read(frames.HEADER_SIZE)
            if len(header) < frames.HEADER_SIZE:
                return None
            length, frame_type, flags, frame_id = frames.HEADER.unpack(header)
            return frame_type, frame_id, reader.read(length)

        frame = read_frame()
        if frame is None or frame[0] != frames.READY:
            detail = json.loads(frame[2]) if frame else {"error": "connection closed"}
            print("INIT_FAILED: %s" % detail.get("error"), file=sys.stderr)
            sys.exit(process.wait())
        print("READY %s" % frame[2].decode())
        for frame_id, body in enumerate(bodies, start=1):
            meta = {"headers": headers, "method": args.method, "path": "/score", "query": args.query,
                    "timeout_ms": args.timeout_ms, "request_id": "local-%d" % frame_id}
            conn.sendall(frames.encode_frame(frames.SCORE, 0, frame_id, frames.encode_meta_payload(meta, body.encode())))
            while True:
                frame = read_frame()
                if frame is None:
                    sys.exit("the harness closed the connection")
                if frame[0] == frames.RESULT and frame[1] == frame_id:
                    break
            result_meta, result_body = frames.decode_meta_payload(frame[2])
            print("RESULT %d %s" % (frame_id, json.dumps(result_meta)))
            print(result_body.decode("utf-8", "replace"))
        conn.sendall(frames.encode_frame(frames.GOAWAY, 0, 0))
        code = process.wait()
        conn.close()
        listener.close()
        sys.exit(code)


if __name__ == "__main__":
    main()
