internal import Foundation
internal import ModelGateClient

/// A `modelgate serve` child process on a free loopback port over a fresh
/// temporary data directory: the live server a chaos run works against.
///
/// The server runs in its own process, as in production, so the load the run
/// generates reaches it only through sockets. ``stop()`` sends SIGTERM and
/// waits; the data directory is removed unless the run asks to keep it.
final class ChaosServer: @unchecked Sendable {
    // @unchecked: `process` is set in init and only read afterwards.
    let dataDirectory: String
    let address: ServerAddress
    let credentials: Credentials
    private let process: Process
    private let logPath: String

    /// The server's own log, for a failed run.
    var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// Starts the server and waits until it has recorded its address and answers.
    ///
    /// - Parameter binary: the `modelgate` executable to run as `serve`.
    init(binary: String, timeout: Duration = .seconds(30)) async throws {
        let directory = NSTemporaryDirectory() + "modelgate-chaos-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.dataDirectory = directory
        self.logPath = directory + ".log"
        _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data-dir", directory, "--log-level", "warning"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process

        // The server writes its bound address into the credentials file once it listens.
        let path = directory + "/" + Credentials.fileName
        let deadline = ContinuousClock.now + timeout
        var found: (Credentials, ServerAddress)?
        while found == nil {
            guard process.isRunning else {
                throw ChaosError("the server exited with status \(process.terminationStatus) before listening:\n\(Self.tail(of: directory + ".log"))")
            }
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw ChaosError("the server did not listen within \(timeout):\n\(Self.tail(of: directory + ".log"))")
            }
            if let credentials = try? Credentials.load(path: path), let text = credentials.server,
               let address = ServerAddress(parsing: text), address.port != 0
            {
                found = (credentials, address)
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        guard let (credentials, address) = found else { throw ChaosError("unreachable: no server address") }
        self.credentials = credentials
        self.address = address
    }

    /// The last lines of the server's log.
    func logTail(lines: Int = 30) -> String {
        Self.tail(of: self.logPath, lines: lines)
    }

    private static func tail(of path: String, lines: Int = 30) -> String {
        let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 10 s); removes the data directory unless `keepData`.
    func stop(keepData: Bool) async {
        if self.process.isRunning {
            self.process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while self.process.isRunning, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if self.process.isRunning {
                kill(self.process.processIdentifier, SIGKILL)
                self.process.waitUntilExit()
            }
        }
        if !keepData {
            try? FileManager.default.removeItem(atPath: self.dataDirectory)
            try? FileManager.default.removeItem(atPath: self.logPath)
        }
    }
}
