internal import NIOCore

/// Hands a replica connection's decoded frames, errors and close to its
/// ``ReplicaConnection``; the last handler of the pipeline.
final class ReplicaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ReplicaFrame

    private let connection: ReplicaConnection

    init(connection: ReplicaConnection) {
        self.connection = connection
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
