"""Load for grpc_server.py from grpcio's asyncio client: `--concurrency` unary
calls in flight (that many coroutines calling back to back), or one
bidirectional stream with that many requests in flight. Prints one JSON object.

    python grpc_client.py --port P --mode unary|stream --concurrency N --body FILE --seconds S
"""
import argparse
import asyncio
import json
import time

import grpc

import grpc_stubs


def summary(latencies_ns, count, elapsed, run_micros):
    latencies_ns.sort()
    run_micros.sort()
    result = {"rps": count / elapsed, "count": count, "errors": 0}
    if latencies_ns:
        result["p50_us"] = latencies_ns[len(latencies_ns) // 2] / 1000
        result["p99_us"] = latencies_ns[int(len(latencies_ns) * 0.99)] / 1000
    if run_micros:
        result["run_p50_us"] = run_micros[len(run_micros) // 2]
    return result


async def unary(stub, messages, body, concurrency, warmup, seconds):
    clock = time.perf_counter_ns
    start = clock()
    measure_from = start + int(warmup * 1e9)
    end = measure_from + int(seconds * 1e9)
    latencies, runs = [], []

    async def worker(index):
        request = messages.ScoreRequest(request_id="bench-%d" % index, body=body)
        while True:
            begin = clock()
            if begin >= end:
                return
            response = await stub.Score(request)
            if begin >= measure_from:
                latencies.append(clock() - begin)
                runs.append(response.run_micros)

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return summary(latencies, len(latencies), (clock() - measure_from) / 1e9, runs)


async def stream(stub, messages, body, concurrency, warmup, seconds):
    clock = time.perf_counter_ns
    start = clock()
    measure_from = start + int(warmup * 1e9)
    end = measure_from + int(seconds * 1e9)
    latencies, runs = [], []
    call = stub.ScoreStream()
    window = asyncio.Semaphore(concurrency)
    sent = {}
    done = asyncio.Event()

    async def writer():
        number = 0
        while clock() < end:
            await window.acquire()
            number += 1
            request_id = "r%d" % number
            sent[request_id] = clock()
            await call.write(messages.ScoreRequest(request_id=request_id, body=body))
        await call.done_writing()

    async def reader():
        async for response in call:
            begin = sent.pop(response.request_id)
            now = clock()
            if begin >= measure_from and now <= end:
                latencies.append(now - begin)
                runs.append(response.run_micros)
            window.release()
        done.set()

    await asyncio.gather(writer(), reader())
    return summary(latencies, len(latencies), (min(clock(), end) - measure_from) / 1e9, runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["unary", "stream"], required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    args = parser.parse_args()
    messages, services = grpc_stubs.load()
    with open(args.body, "rb") as handle:
        body = handle.read()

    async def main_async():
        async with grpc.aio.insecure_channel("127.0.0.1:%d" % args.port) as channel:
            stub = services.ScorerStub(channel)
            load = unary if args.mode == "unary" else stream
            return await load(stub, messages, body, args.concurrency, args.warmup, args.seconds)

    print(json.dumps(asyncio.run(main_async())))


if __name__ == "__main__":
    main()
