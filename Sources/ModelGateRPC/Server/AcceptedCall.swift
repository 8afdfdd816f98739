/// A call the connection handler accepted (valid headers, known method, a free
/// stream slot), handed to the connection's task to run.
struct AcceptedCall: Sendable {
    var handler: RPCHandler
    var stream: ServerStream
    var context: ServerCallContext
}
