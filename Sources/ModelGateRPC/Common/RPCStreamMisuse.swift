/// A stream used in a way the transport does not support (such as two tasks
/// reading one request stream); a programming error in the caller.
struct RPCStreamMisuse: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
