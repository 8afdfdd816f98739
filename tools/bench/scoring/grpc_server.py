"""A plain grpcio server calling an Azure-style score.py's run(): unary Score and
bidirectional ScoreStream, on grpc.aio (one process, one event loop; run() is
called inline, as a one-worker Azure server or a ModelGate replica with
replica_max_concurrent_requests 1 runs one call at a time).

    python grpc_server.py --script score.py --model-dir DIR --port-file FILE

Binds 127.0.0.1 on a free port, writes the port to --port-file, serves until killed.
"""
import argparse
import asyncio
import os
import time

import grpc

import entry_script
import grpc_stubs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    messages, services = grpc_stubs.load()
    module = entry_script.load(args.script, args.model_dir)
    run, encode = module.run, entry_script.encode
    clock = time.perf_counter_ns

    def score(request):
        start = clock()
        body = encode(run(request.body.decode("utf-8")))
        return messages.ScoreResponse(request_id=request.request_id, body=body,
                                      run_micros=(clock() - start) / 1000)

    class Scorer(services.ScorerServicer):
        async def Score(self, request, context):
            return score(request)

        async def ScoreStream(self, request_iterator, context):
            async for request in request_iterator:
                yield score(request)

    async def serve():
        server = grpc.aio.server()
        services.add_ScorerServicer_to_server(Scorer(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        with open(args.port_file + ".tmp", "w") as handle:
            handle.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
        await server.wait_for_termination()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
