import ModelGateAPI

/// Why a connection is being closed: the code and message of the GO_AWAY frame
/// sent to the peer before closing.
///
/// Thrown by the frame decoder and by the connection handlers for anything that
/// breaks the protocol (bad preface, oversized or unknown frames, stream-id and
/// flow-control violations, exhausted budgets). It only ever closes the one
/// connection that caused it.
struct ConnectionError: Error, Hashable, CustomStringConvertible {
    var code: StatusCode
    var message: String

    init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(self.code): \(self.message)" }

    static func protocolViolation(_ message: String) -> ConnectionError {
        ConnectionError(.invalidArgument, message)
    }
}
