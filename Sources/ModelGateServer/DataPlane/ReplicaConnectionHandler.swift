internal import NIOCore

/// Hands a replica connection's decoded frames, errors and close to its
/// ``ReplicaConnection``; the last handler of the pipeline.
final class ReplicaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ReplicaFrame

    private let connection: ReplicaConnection
    private let whenActive: @Sendable () -> Void

    init(connection: ReplicaConnection, whenActive: @escaping @Sendable () -> Void) {
        self.connection = connection
        self.whenActive = whenActive
    }

    func channelActive(context: ChannelHandlerContext) {
        self.whenActive()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.connection.received(Self.unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A bad frame closes only this replica's connection; the pool restarts the replica.
        self.connection.failed(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection.closed()
        context.fireChannelInactive()
    }
}
