public import Foundation
import ModelGateWire

/// Runs `protoc` over `proto/` and decodes the descriptor set it writes.
public enum Protoc {
    /// Why the descriptor set could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Every `.proto` file under `root`, relative to it, sorted.
    public static func protoFiles(under root: URL) throws -> [String] {
        let rootPath = root.standardizedFileURL.path(percentEncoded: false)
        guard let enumerator = FileManager.default.enumerator(atPath: rootPath) else {
            throw Failure(description: "cannot list \(rootPath)")
        }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path.hasSuffix(".proto") { files.append(path) }
        }
        return files.sorted()
    }

    /// Runs `protoc -I <root> --descriptor_set_out=<tmp>/set.pb <every file>` and
    /// decodes the result with ModelGate's own codec.
    ///
    /// - Throws: ``Failure`` with protoc's output when it fails, or a
    ///   ``ModelGateWire/WireError`` when its output does not decode.
    public static func descriptorSet(protoRoot root: URL = RepositoryLayout.protoRoot) throws -> FileDescriptorSet {
        let files = try Self.protoFiles(under: root)
        guard !files.isEmpty else { throw Failure(description: "no .proto files under \(root.path())") }
        let directory = FileManager.default.temporaryDirectory.appending(path: "modelgate-protoc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appending(path: "set.pb")

        let protoc = ProcessInfo.processInfo.environment["PROTOC"] ?? "protoc"
        let rootPath = root.standardizedFileURL.path(percentEncoded: false)
        let result = try ChildProcess.run(
            protoc, ["-I", rootPath, "--descriptor_set_out=\(output.path(percentEncoded: false))"] + files, in: root
        )
        guard result.status == 0 else {
            throw Failure(description: "protoc exited with \(result.status):\n\(result.output)")
        }
        let bytes = try [UInt8](Data(contentsOf: output))
        return try FileDescriptorSet(decoding: bytes)
    }
}
