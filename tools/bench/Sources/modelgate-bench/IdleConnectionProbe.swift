import Foundation
import NIOCore
import NIOPosix

/// Measures what an idle connection costs the server: starts the server as a
/// child process (`--serve-idle`), opens connections that complete the
/// handshake and then stay idle, and reads the child's resident memory before
/// and after. Then closes and reopens them five more times: memory that keeps
/// growing over those rounds is memory closed connections did not give back.
struct IdleConnectionProbe {
    struct Result {
        var connections: Int
        /// Server RSS growth with `connections` idle connections open, per connection.
        var bytesPerConnection: Double
        /// Server RSS growth between the first and the last of the rounds, once
        /// every connection was closed again, per connection closed since.
        var retainedPerClosedConnection: Double
        var rounds: Int
    }

    let clientGroup: any EventLoopGroup
    let connections: Int
    let rounds = 6
    /// Opened first and kept, so one-time costs (the first accept, buffers
    /// allocated once per event loop) are not charged to the measured ones.
    let warmUpConnections = 20

    func run() async throws -> Result {
        let child = try ChildServer.start()
        defer { child.stop() }

        let warmUp = try await self.open(self.warmUpConnections, port: child.port)
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try ProcessMemory.residentBytes(pid: "\(child.pid)")

        var perConnection = 0.0
        var afterFirstClose = 0
        var afterLastClose = 0
        for round in 1...self.rounds {
            let channels = try await self.open(self.connections, port: child.port)
            try await Task.sleep(for: .milliseconds(500))
            if round == 1 {
                let loaded = try ProcessMemory.residentBytes(pid: "\(child.pid)")
                perConnection = Double(loaded - baseline) / Double(self.connections)
            }
            for channel in channels { channel.close(promise: nil) }
            for channel in channels { try? await channel.closeFuture.get() }
            try await Task.sleep(for: .milliseconds(500))
            let closed = try ProcessMemory.residentBytes(pid: "\(child.pid)")
            if round == 1 { afterFirstClose = closed }
            afterLastClose = closed
        }
        for channel in warmUp { channel.close(promise: nil) }
        let closedSince = self.connections * (self.rounds - 1)
        return Result(
            connections: self.connections,
            bytesPerConnection: perConnection,
            retainedPerClosedConnection: Double(afterLastClose - afterFirstClose) / Double(closedSince),
            rounds: self.rounds
        )
    }

    /// Opens `count` connections, 100 at a time, each through the handshake.
    private func open(_ count: Int, port: Int) async throws -> [any Channel] {
        var channels: [any Channel] = []
        channels.reserveCapacity(count)
        var remaining = count
        while remaining > 0 {
            let batch = min(100, remaining)
            remaining -= batch
            let opened = try await withThrowingTaskGroup(of: (any Channel).self) { group in
                for _ in 0..<batch {
                    group.addTask { try await self.openOne(port: port) }
                }
                var opened: [any Channel] = []
                for try await channel in group { opened.append(channel) }
                return opened
            }
            channels += opened
        }
        return channels
    }

    private func openOne(port: Int) async throws -> any Channel {
        let eventLoop = self.clientGroup.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HandshakeOnlyHandler(ready: ready))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await ready.futureResult.get()
        return channel
    }
}

/// This executable run as `--serve-idle` in a child process.
struct ChildServer {
    let process: Process
    let stdin: Pipe
    let port: Int
    var pid: Int32 { self.process.processIdentifier }

    static func start() throws -> ChildServer {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--serve-idle"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The child's first line is "PORT <n>".
        var line: [UInt8] = []
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else {
                throw BenchError("the child server exited before printing its port")
            }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw BenchError("unexpected first line from the child server: \(text)")
        }
        return ChildServer(process: process, stdin: stdin, port: port)
    }

    func stop() {
        try? self.stdin.fileHandleForWriting.close()
        self.process.waitUntilExit()
    }
}
