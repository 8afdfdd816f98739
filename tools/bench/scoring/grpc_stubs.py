"""The grpcio side's protocol, compiled at run time with grpcio-tools (nothing
generated is committed): a unary Score and a bidirectional ScoreStream carrying
a request id and the body, as ModelGate's ScoreRequest/ScoreResponse do."""
import importlib
import os
import sys
import tempfile

PROTO = """
syntax = "proto3";
package benchscore;

message ScoreRequest {
  string request_id = 1;
  bytes body = 2;
}

message ScoreResponse {
  string request_id = 1;
  bytes body = 2;
  // Microseconds spent in run(), measured by the server.
  double run_micros = 3;
}

service Scorer {
  rpc Score(ScoreRequest) returns (ScoreResponse);
  rpc ScoreStream(stream ScoreRequest) returns (stream ScoreResponse);
}
"""


def load():
    """Returns (messages module, grpc stubs module), compiling into a temp folder."""
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="bench-grpc-stubs-")
    path = os.path.join(out, "benchscore.proto")
    with open(path, "w") as handle:
        handle.write(PROTO)
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    code = protoc.main(["protoc", "-I" + out, "-I" + include, "--python_out=" + out,
                        "--grpc_python_out=" + out, path])
    if code != 0:
        raise RuntimeError("grpc_tools.protoc failed with %d" % code)
    sys.path.insert(0, out)
    return importlib.import_module("benchscore_pb2"), importlib.import_module("benchscore_pb2_grpc")
