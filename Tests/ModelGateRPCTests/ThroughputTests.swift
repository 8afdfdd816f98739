import Foundation
import ModelGateRPC
import ModelGateWire
import NIOPosix
import Testing

/// Rough throughput and idle-connection memory, printed for a person to read.
/// Off by default (slow, and numbers depend on the machine): set
/// `MODELGATE_RPC_BENCH=1` to run.
@Suite("Throughput", .enabled(if: ProcessInfo.processInfo.environment["MODELGATE_RPC_BENCH"] != nil))
struct ThroughputTests {
    @Test(arguments: [1, 64])
    func unaryCallsPerSecond(concurrency: Int) async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let duration = Duration.seconds(2)
            let start = ContinuousClock.now
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var count = 0
                        while ContinuousClock.now - start < duration {
                            let _: TestMessage = try await client.unary(TestMethod.unary, TestMessage(text: "ping", number: 1))
                            count += 1
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let seconds = Double((ContinuousClock.now - start).components.seconds)
                + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            print("unary concurrency=\(concurrency): \(Int(Double(total) / seconds)) calls/s")
            await client.close()
        }
    }

    @Test(arguments: [1, 64])
    func streamedMessagesPerSecond(concurrency: Int) async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let start = ContinuousClock.now
            let perStream = 20_000 / concurrency
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var count = 0
                        for try await _ in client.serverStreaming(
                            TestMethod.serverStream, TestMessage(text: "x", number: Int64(perStream)), as: TestMessage.self
                        ) { count += 1 }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("server-stream concurrency=\(concurrency): \(Int(Double(total) / seconds)) messages/s")
            await client.close()
        }
    }

    @Test func idleConnectionMemory() async throws {
        try await withTestServer { server in
            func rss() -> Int {
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
                return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
            }
            var warmup: [RawFrameClient] = []
            for _ in 0..<50 { let raw = try await server.makeRawClient(); _ = try await raw.handshake(); warmup.append(raw) }
            let before = rss()
            var clients: [RawFrameClient] = []
            for _ in 0..<1000 {
                let raw = try await server.makeRawClient()
                _ = try await raw.handshake()
                try await raw.sendFrame(.settings, streamID: 0, payload: [])
                clients.append(raw)
            }
            try await Task.sleep(for: .milliseconds(300))
            let after = rss()
            // Both ends live in this process: the client side is counted too.
            print("1000 idle connections (server and raw client together): \((after - before)) KiB, \((after - before) / 1000) KiB each")
            for client in clients + warmup { await client.close() }
        }
    }
}
