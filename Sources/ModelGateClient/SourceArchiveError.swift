/// A source directory that cannot be packed: missing, unreadable, too large,
/// or `tar` failed. The message names the path.
public struct SourceArchiveError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { self.message }

    public init(message: String) {
        self.message = message
    }
}
