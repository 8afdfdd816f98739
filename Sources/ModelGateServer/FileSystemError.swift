/// A failed file-system call, with the operation, the path and `strerror`'s text.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32
    public var reason: String

    public init(operation: String, path: String, errno: Int32, reason: String) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.reason = reason
    }

    public var description: String { "cannot \(self.operation) \(self.path): \(self.reason)" }
}
