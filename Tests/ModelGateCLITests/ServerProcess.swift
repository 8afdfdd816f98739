import Foundation
import Testing

/// A real `modelgate serve` process on a free loopback port and a temporary
/// data directory, for end-to-end tests of the binary.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns the fixture.
    let dataDirectory: String
    let port: Int
    private(set) var process: Process
    private let logPath: String
    /// Added to every client command's environment (e.g. `MODELGATE_TLS_CA` for a TLS server).
    let clientEnvironment: [String: String]

    /// The built `modelgate` binary, next to the test bundle in `.build/<config>/`.
    static var binary: String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent("modelgate").path]
        // `swift test` may run the bundle from inside the .xctest directory.
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent("modelgate").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    init(dataDirectory: String? = nil, extraArguments: [String] = [], clientEnvironment: [String: String] = [:]) throws {
        self.clientEnvironment = clientEnvironment
        self.dataDirectory = try dataDirectory ?? Self.makeTemporaryDirectory()
        self.port = try Self.freePort()
        self.logPath = self.dataDirectory + ".log"
        self.process = Process()
        try self.start(extraArguments: extraArguments)
    }

    /// Starts (or restarts) the server on the same port and data directory,
    /// and waits until it answers a health call.
    func start(extraArguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:\(self.port)", "--data-dir", self.dataDirectory] + extraArguments
        _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !process.isRunning {
                throw ServerProcessError("server exited with \(process.terminationStatus):\n\(self.log)")
            }
            if let result = try? self.cli(["health"]), result.status == 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerProcessError("server did not answer within 20 s:\n\(self.log)")
    }

    /// Everything the server printed so far.
    var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// Sends a signal and waits for the process to exit.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        kill(self.process.processIdentifier, signal)
        self.process.waitUntilExit()
        return self.process.terminationStatus
    }

    /// Runs a client command against this server.
    func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try Self.run(
            arguments, environment: ["MODELGATE_SERVER": "127.0.0.1:\(self.port)", "MODELGATE_DATA_DIR": self.dataDirectory]
                .merging(self.clientEnvironment) { $1 }
                .merging(environment) { $1 })
    }

    /// Runs `modelgate` with arguments and a clean environment plus `environment`.
    static func run(_ arguments: [String], environment: [String: String]) throws -> CLIResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        for key in base.keys where key.hasPrefix("MODELGATE_") { base[key] = nil }
        process.environment = base.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    deinit {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.dataDirectory)
        try? FileManager.default.removeItem(atPath: self.logPath)
    }

    static func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "modelgate-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A port that was free a moment ago (bind to 0, read it, close).
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerProcessError("socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerProcessError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

struct ServerProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
