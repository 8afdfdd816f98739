/// A replica broke the replica protocol; its connection is closed.
struct ReplicaProtocolError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { self.message }
}
