internal import Synchronization

/// A server's current ``TLSContext``, which ``reload()`` replaces from the
/// same files (on SIGHUP, for a renewed certificate).
///
/// New connections take ``current`` at accept; connections already open keep
/// the context they were made from (OpenSSL counts its references), so a
/// reload drops nothing. A reload that fails (a missing file, a key that does
/// not match) leaves the old context in place.
public final class ReloadableTLSContext: Sendable {
    public let configuration: TLSServerConfiguration
    private let context: Mutex<TLSContext>

    /// Builds the first context.
    ///
    /// - Throws: ``TLSError`` when the files cannot be used.
    public init(configuration: TLSServerConfiguration) throws(TLSError) {
        self.configuration = configuration
        self.context = Mutex(try TLSContext.server(configuration))
    }

    /// The context new connections use.
    public var current: TLSContext { self.context.withLock { $0 } }

    /// Reads the files again and makes the result ``current``.
    ///
    /// - Returns: the new context.
    /// - Throws: ``TLSError``, and ``current`` stays as it was.
    @discardableResult
    public func reload() throws(TLSError) -> TLSContext {
        let fresh = try TLSContext.server(self.configuration)
        self.context.withLock { $0 = fresh }
        return fresh
    }
}
