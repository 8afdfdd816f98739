import NIOCore

/// One call on the client, as the connection's event loop routes it: the
/// response messages and trailers go to `inbound`; the deadline, if any, is
/// enforced by the event loop too.
final class ClientStream: Sendable {
    let id: UInt32
    let inbound: InboundMessages
    /// When the caller stops waiting (the call fails locally with `DEADLINE_EXCEEDED`).
    let deadline: NIODeadline?
    /// The timeout as the caller gave it, for the error message.
    let timeout: Duration?

    init(id: UInt32, inbound: InboundMessages, deadline: NIODeadline?, timeout: Duration?) {
        self.id = id
        self.inbound = inbound
        self.deadline = deadline
        self.timeout = timeout
    }
}
