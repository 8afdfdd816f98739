import Dispatch
import Logging
import ModelGateRPC
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The child side of the idle-memory probe (`modelgate-bench --serve-idle`):
/// an ``RPCServer`` with ``EchoService`` on an ephemeral loopback port, in its
/// own process so that its resident memory is the server's alone. Prints
/// `PORT <n>` and serves until its standard input closes (the parent exited).
enum IdleServerProcess {
    static func serve() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = RPCServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainTimeout = .seconds(1)
        let logger = Logger(label: "modelgate.bench.server", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = RPCServer(configuration: configuration, router: EchoService.makeRouter(), eventLoopGroup: group, logger: logger)
        // The parent holds our stdin; when it goes away, so do we.
        DispatchQueue.global().async {
            var byte: UInt8 = 0
            while read(0, &byte, 1) > 0 {}
            exit(0)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            let port = try await server.boundPort()
            print("PORT \(port)")
            fflush(nil)
            try await tasks.next()
        }
    }
}
