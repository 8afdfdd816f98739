internal import ModelGateServer
internal import ServiceLifecycle
internal import UnixSignals

/// Reloads the server's TLS certificate on every SIGHUP (`kill -HUP`), the
/// usual signal for "re-read your files" after a certificate is renewed.
///
/// The signal is trapped when this is made, before the server listens, so an
/// early SIGHUP cannot kill the process with its default action.
struct TLSReloadOnHangup: Service {
    private let signals: UnixSignalsSequence
    private let app: ModelGateServerApp

    init(app: ModelGateServerApp, signals: UnixSignalsSequence) {
        self.app = app
        self.signals = signals
    }

    func run() async throws {
        for await _ in self.signals.cancelOnGracefulShutdown() {
            self.app.reloadTLS()
        }
    }
}
