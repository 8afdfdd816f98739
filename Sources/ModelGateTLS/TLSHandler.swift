internal import CModelGateOpenSSL
public import NIOCore

/// Terminates TLS on a channel with OpenSSL: ciphertext below, plaintext
/// above, first in the pipeline.
///
/// The `SSL` object reads and writes two memory BIOs instead of the socket:
/// bytes from the network are appended to the read BIO and OpenSSL is driven
/// (handshake, then `SSL_read` until it wants more), and whatever OpenSSL
/// writes (handshake flights, records, alerts) is drained from the write BIO
/// into one outbound buffer per flush. Partial records simply wait in the
/// read BIO for the rest. Plaintext written before the handshake completes is
/// held and sent once it does.
///
/// Closing: `close(mode: .all)` sends `close_notify` first; a `close_notify`
/// from the peer is answered and the connection closed (the protocol above
/// has no use for a half-open TLS stream); `close(mode: .output)` sends
/// `close_notify` and half-closes the socket, reads continue. Any OpenSSL
/// failure (handshake refused, fatal alert, bad record) sends OpenSSL's alert,
/// fires a ``TLSError`` down the pipeline and closes this connection only.
/// Renegotiation is off in every ``TLSContext``.
///
/// Buffers: one inbound plaintext buffer per read (sized from the ciphertext
/// waiting) and one outbound ciphertext buffer per flush; no per-record allocation.
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        /// Handshake not yet finished; writes are held. Can transition to `active` or `closed`.
        case handshaking
        /// Application data both ways. Can transition to `outputClosed` or `closed`.
        case active
        /// We sent `close_notify`; reads continue. Can transition to `closed`.
        case outputClosed
        /// Closed, failed or closing; everything is dropped.
        case closed
    }

    private let context: TLSContext
    private let ssl: OpaquePointer
    /// Network → OpenSSL (owned by `ssl`).
    private let networkIn: OpaquePointer
    /// OpenSSL → network (owned by `ssl`).
    private let networkOut: OpaquePointer
    private var state = State.handshaking
    private var started = false
    /// Plaintext written before the handshake finished.
    private var heldWrites: CircularBuffer<(ByteBuffer, EventLoopPromise<Void>?)> = CircularBuffer(initialCapacity: 4)
    private var flushHeld = false
    /// Promises of writes already encrypted into `networkOut`, completed with the next network write.
    private var unflushedPromises: [EventLoopPromise<Void>] = []

    /// - Parameters:
    ///   - context: a server or client context; the handler keeps it alive.
    ///   - serverHostname: client only: the host connected to, checked against
    ///     the server's certificate unless the context names another server name.
    /// - Throws: ``TLSError`` when OpenSSL cannot create the connection.
    public init(context: TLSContext, serverHostname: String? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else { throw TLSError.openSSL("cannot create a TLS connection") }
        guard let networkIn = BIO_new(BIO_s_mem()), let networkOut = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.openSSL("cannot create TLS buffers")
        }
        SSL_set_bio(ssl, networkIn, networkOut)
        self.context = context
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let name = context.serverName ?? serverHostname {
                try Self.expectServer(named: name, on: ssl)
            }
        }
    }

    deinit {
        SSL_free(self.ssl)
    }

    /// Makes the handshake check the server's certificate for `name`, and sends it as SNI if it is a DNS name.
    private static func expectServer(named name: String, on ssl: OpaquePointer) throws(TLSError) {
        let bare = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        if HostName.isIPAddress(bare) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare) == 1 else {
                throw TLSError.openSSL("cannot check the server's certificate for \(bare)")
            }
        } else {
            guard SSL_set1_host(ssl, bare) == 1, mg_ssl_set_tlsext_host_name(ssl, bare) == 1 else {
                throw TLSError.openSSL("cannot check the server's certificate for '\(bare)'")
            }
        }
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    /// A client sends its hello; a server waits for one.
    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        if !self.context.isServer { self.advance(context: context) }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let wasHandshaking: Bool
        if case .handshaking = self.state { wasHandshaking = true } else { wasHandshaking = false }
        self.state = .closed
        self.failHeldWrites(ChannelError.ioOnClosedChannel)
        if wasHandshaking {
            // Say why, rather than let the protocol above see a bare close.
            context.fireErrorCaught(TLSError("the connection closed during the TLS handshake"))
        }
        context.fireChannelInactive()
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.isClosed else { return }
        let buffer = self.unwrapInboundIn(data)
        let accepted = buffer.withUnsafeReadableBytes { bytes -> Bool in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
            return BIO_write(self.networkIn, base, Int32(bytes.count)) == Int32(bytes.count)
        }
        guard accepted else {
            self.fail(context: context, TLSError.openSSL("cannot buffer received TLS data"))
            return
        }
        self.advance(context: context)
    }

    /// Drives the handshake, then reads whatever plaintext the buffered records hold.
    private func advance(context: ChannelHandlerContext) {
        if case .handshaking = self.state {
            ERR_clear_error()
            let result = SSL_do_handshake(self.ssl)
            guard result == 1 else {
                let error = SSL_get_error(self.ssl, result)
                if error == SSL_ERROR_WANT_READ {
                    self.writeNetworkOut(context: context)
                    return
                }
                let verify = SSL_get_verify_result(self.ssl)
                let detail = verify == X509_V_OK ? nil : String(cString: X509_verify_cert_error_string(Int(verify)))
                self.fail(context: context, TLSError.openSSL("TLS handshake failed", detail: detail))
                return
            }
            self.state = .active
            self.writeNetworkOut(context: context)
            context.fireUserInboundEventTriggered(self.handshakeSummary())
            self.releaseHeldWrites(context: context)
        }
        guard !self.isClosed else { return }
        self.readPlaintext(context: context)
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        var peerClosed = false
        var failure: TLSError?
        // Plaintext is never longer than the ciphertext it came in.
        let waiting = mg_bio_pending(self.networkIn) + Int(SSL_pending(self.ssl))
        var plaintext = context.channel.allocator.buffer(capacity: max(waiting, 512))
        reading: while true {
            if plaintext.writableBytes < 512 {
                plaintext.reserveCapacity(minimumWritableBytes: max(mg_bio_pending(self.networkIn), 16 * 1024))
            }
            ERR_clear_error()
            var result: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { bytes in
                result = SSL_read(self.ssl, bytes.baseAddress, Int32(clamping: bytes.count))
                return max(0, Int(result))
            }
            if result > 0 { continue }
            switch SSL_get_error(self.ssl, result) {
            case SSL_ERROR_WANT_READ:
                break reading
            case SSL_ERROR_ZERO_RETURN:
                peerClosed = true
                break reading
            default:
                failure = TLSError.openSSL("TLS connection failed")
                break reading
            }
        }
        if plaintext.readableBytes > 0 {
            context.fireChannelRead(self.wrapInboundOut(plaintext))
        }
        if let failure {
            self.fail(context: context, failure)
            return
        }
        // Records can make OpenSSL answer (a key update, an alert).
        if mg_bio_pending(self.networkOut) > 0 { self.writeNetworkOut(context: context) }
        if peerClosed, !self.isClosed {
            self.sendCloseNotify(context: context)
            self.state = .closed
            context.close(promise: nil)
        }
    }

    private func handshakeSummary() -> TLSHandshakeCompleted {
        var alpn: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(self.ssl, &alpn, &alpnLength)
        let applicationProtocol = alpn.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
        var fingerprint: String?
        if let peer = SSL_get1_peer_certificate(self.ssl) {
            fingerprint = X509Certificate.fingerprint(of: peer)
            X509_free(peer)
        }
        return TLSHandshakeCompleted(
            applicationProtocol: applicationProtocol,
            protocolVersion: String(cString: SSL_get_version(self.ssl)),
            cipherSuite: SSL_get_current_cipher(self.ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "",
            peerCertificateFingerprint: fingerprint
        )
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = self.unwrapOutboundIn(data)
        switch self.state {
        case .handshaking:
            self.heldWrites.append((buffer, promise))
        case .active:
            if let error = self.encrypt(buffer) {
                promise?.fail(error)
                self.fail(context: context, error)
            } else if let promise {
                self.unflushedPromises.append(promise)
            }
        case .outputClosed, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch self.state {
        case .handshaking: self.flushHeld = true
        case .active: self.writeNetworkOut(context: context)
        case .outputClosed, .closed: break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (mode, self.state) {
        case (.all, .active), (.all, .outputClosed):
            self.sendCloseNotify(context: context)
            self.state = .closed
        case (.output, .active):
            self.sendCloseNotify(context: context)
            self.state = .outputClosed
        case (.all, .handshaking):
            self.state = .closed
            self.failHeldWrites(ChannelError.ioOnClosedChannel)
        default:
            break
        }
        context.close(mode: mode, promise: promise)
    }

    /// Encrypts plaintext into `networkOut`; nil when it worked.
    private func encrypt(_ buffer: ByteBuffer) -> TLSError? {
        buffer.withUnsafeReadableBytes { bytes -> TLSError? in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            var offset = 0
            while offset < bytes.count {
                ERR_clear_error()
                let written = SSL_write(self.ssl, base + offset, Int32(clamping: bytes.count - offset))
                guard written > 0 else { return TLSError.openSSL("TLS write failed") }
                offset += Int(written)
            }
            return nil
        }
    }

    /// Sends what OpenSSL has written, completing the promises of the writes it holds.
    private func writeNetworkOut(context: ChannelHandlerContext) {
        let promises = self.unflushedPromises
        self.unflushedPromises.removeAll(keepingCapacity: true)
        let pending = mg_bio_pending(self.networkOut)
        guard pending > 0 else {
            for promise in promises { promise.succeed() }
            return
        }
        var ciphertext = context.channel.allocator.buffer(capacity: pending)
        ciphertext.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            max(0, Int(BIO_read(self.networkOut, bytes.baseAddress, Int32(clamping: pending))))
        }
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0: promise = nil
        case 1: promise = promises[0]
        default:
            let combined = context.eventLoop.makePromise(of: Void.self)
            combined.futureResult.whenComplete { result in
                for promise in promises { promise.completeWith(result) }
            }
            promise = combined
        }
        context.writeAndFlush(self.wrapOutboundOut(ciphertext), promise: promise)
    }

    /// The handshake finished: encrypt and send what was written meanwhile.
    private func releaseHeldWrites(context: ChannelHandlerContext) {
        while let (buffer, promise) = self.heldWrites.popFirst() {
            if let error = self.encrypt(buffer) {
                promise?.fail(error)
                self.fail(context: context, error)
                return
            }
            if let promise { self.unflushedPromises.append(promise) }
        }
        if self.flushHeld || !self.unflushedPromises.isEmpty || mg_bio_pending(self.networkOut) > 0 {
            self.flushHeld = false
            self.writeNetworkOut(context: context)
        }
    }

    private func sendCloseNotify(context: ChannelHandlerContext) {
        ERR_clear_error()
        _ = SSL_shutdown(self.ssl)
        ERR_clear_error()
        self.writeNetworkOut(context: context)
    }

    // MARK: Failure

    private var isClosed: Bool {
        if case .closed = self.state { return true }
        return false
    }

    /// Sends OpenSSL's alert, fails held writes, reports the error and closes this connection.
    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard !self.isClosed else { return }
        self.state = .closed
        self.writeNetworkOut(context: context)
        self.failHeldWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failHeldWrites(_ error: any Error) {
        while let (_, promise) = self.heldWrites.popFirst() { promise?.fail(error) }
        let promises = self.unflushedPromises
        self.unflushedPromises.removeAll()
        for promise in promises { promise.fail(error) }
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
