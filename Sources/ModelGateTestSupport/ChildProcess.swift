public import Foundation

/// Runs a command line tool (protoc, python3) to completion and collects its output.
public enum ChildProcess {
    /// What a finished process left behind.
    public struct Result: Sendable {
        public var status: Int32
        /// Standard output and standard error, interleaved as written.
        public var output: String
    }

    /// Runs `command` (looked up on `PATH`) with `arguments` and waits for it.
    ///
    /// Output goes to one pipe that is drained before waiting, so a chatty child
    /// cannot block on a full pipe.
    public static func run(_ command: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = [command] + arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
