import Logging
import ModelGateAPI
import NIOCore

/// One accepted connection, as its async task sees it: the calls its handler
/// accepts, run each as a child task in a discarding task group.
struct ServerConnection: Sendable {
    let id: UInt64
    let channel: any Channel
    let calls: AsyncStream<AcceptedCall>
    let handler: NIOLoopBound<ServerConnectionHandler>
    let logger: Logger

    /// Runs the connection's calls until it closes. Never throws: one bad
    /// connection must not take down the server.
    func run(activeCalls: ActiveCallCounter) async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await call in self.calls {
                    activeCalls.increment()
                    group.addTask {
                        await Self.execute(call)
                        activeCalls.decrement()
                    }
                }
            }
        } onCancel: {
            self.channel.close(promise: nil)
        }
    }

    /// Starts a graceful shutdown of this connection (GO_AWAY, drain, close).
    func beginGracefulShutdown() {
        let handler = self.handler
        self.channel.eventLoop.execute { handler.value.beginGracefulShutdown() }
    }

    /// Runs one call: the handler as a child task, cancelled when the stream is
    /// (client CANCEL, deadline, connection loss), and the outcome sent as trailers.
    static func execute(_ call: AcceptedCall) async {
        let stream = call.stream
        let context = call.context
        let outcome: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
            // Immediate: the handler starts on this task's thread, and a handler
            // that never suspends finishes without a hop to another thread.
            group.addImmediateTask {
                defer { stream.signal.signal(.handlerFinished) }
                do {
                    try await call.handler.run(
                        RawRequestStream(messages: stream.inbound),
                        RawResponseWriter { try await stream.write($0) },
                        context
                    )
                    return nil
                } catch {
                    return error
                }
            }
            if case .cancelled = await stream.signal.wait() {
                group.cancelAll()
            }
            return await group.next() ?? nil
        }
        var trailers = Trailers()
        trailers.requestID = context.requestID
        if let outcome {
            let error = Self.rpcError(for: outcome, logger: context.logger)
            trailers.code = error.code
            trailers.message = error.message
            trailers.details = error.details
            context.logger.debug("Call failed", metadata: ["rpc.code": "\(error.code)"])
        } else {
            context.logger.debug("Call finished")
        }
        stream.finish(trailers)
    }

    /// The status a thrown error is sent as: an ``RPCError`` as it is, an
    /// ``RPCErrorConvertible`` converted, anything else `INTERNAL` with a fixed
    /// message (the cause is logged, never sent).
    static func rpcError(for error: any Error, logger: Logger) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return error.rpcError
        case is CancellationError:
            return RPCError(code: .cancelled, message: "call cancelled")
        default:
            logger.error("Handler failed with an unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .internal, message: "internal error")
        }
    }
}
