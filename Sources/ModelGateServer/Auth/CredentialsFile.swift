internal import Foundation
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The bootstrap principal's credentials, as `<dataDir>/credentials.json`:
/// `{"client_id": "...", "client_secret": "...", "server": "host:port"}`.
///
/// The file holds a secret, so it is only ever written as a new file created
/// with mode 0600 (`open(O_CREAT | O_EXCL, 0600)`, never world-readable even
/// for an instant), fsynced, then renamed over the old one: a crash leaves
/// either the old file or the new one, never a torn one.
public struct CredentialsFile: Codable, Sendable, Hashable {
    public var clientID: String
    public var clientSecret: String
    /// Where the server listens, as `host:port`; rewritten at every start.
    public var server: String

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case server
    }

    public init(clientID: String, clientSecret: String, server: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.server = server
    }

    /// The file's name inside the data directory.
    public static let fileName = "credentials.json"

    /// Reads and decodes the file at `path`.
    public static func read(from path: String) throws -> CredentialsFile {
        try JSONDecoder().decode(CredentialsFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Atomically replaces the file at `path` with this content, mode 0600.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(self))
        bytes.append(UInt8(ascii: "\n"))
        try Self.atomicallyWrite(bytes, to: path, mode: 0o600)
    }

    /// Creates `<path>.tmp-<random>` exclusively with `mode`, writes and fsyncs
    /// it, renames it over `path`, and fsyncs the directory so the rename
    /// itself survives a power loss.
    static func atomicallyWrite(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let suffix = (try? SecureRandom.bytes(6).map { String($0, radix: 16) }.joined()) ?? "\(getpid())"
        let temporary = "\(path).tmp-\(suffix)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Self.posixError("create", temporary) }
        var written = 0
        do {
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { buffer -> Int in
                    guard let base = buffer.baseAddress else { return 0 }
                    #if canImport(Glibc)
                    return Glibc.write(fd, base + written, buffer.count - written)
                    #else
                    return Darwin.write(fd, base + written, buffer.count - written)
                    #endif
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Self.posixError("write", temporary)
                }
                written += result
            }
            guard fsync(fd) == 0 else { throw Self.posixError("fsync", temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.posixError("rename", path)
            unlink(temporary)
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func posixError(_ operation: String, _ path: String) -> FileSystemError {
        let code = errno
        return FileSystemError(operation: operation, path: path, errno: code, reason: String(cString: strerror(code)))
    }
}
