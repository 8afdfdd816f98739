/// The one error that crosses the wire: a canonical status code and a human
/// message, with the underlying cause kept for logs only (never sent).
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// Structured details sent in the trailers, such as `limit` and `actual`.
    public var details: [String: String]
    /// The error this one was made from; logged by the server, never sent.
    public var cause: (any Error)?

    public init(code: StatusCode, message: String, details: [String: String] = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public var description: String { "\(self.code): \(self.message)" }
}

/// A domain error that knows its wire status.
public protocol RPCErrorConvertible: Error {
    var rpcErrorCode: StatusCode { get }
    var rpcErrorMessage: String { get }
}

extension RPCErrorConvertible {
    public var rpcError: RPCError { RPCError(code: self.rpcErrorCode, message: self.rpcErrorMessage, cause: self) }
}
