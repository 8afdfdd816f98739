internal import Foundation
internal import Logging
internal import ModelGateAPI

/// Each workspace's ES256 signing keys: the current one signs, retired ones
/// keep verifying until every token they signed has expired, then are dropped.
///
/// Keys are made on first use (a workspace's first token or JWKS request) and
/// rotated when the current one is older than
/// ``TokenConfiguration/signingKeyLifetime`` (checked whenever a token is
/// signed) or on demand (``rotate(workspace:)``). A retired key verifies until
/// `retired at + token lifetime + clock skew`: no token it signed lives longer.
///
/// Every change is stored (``SigningKeyStore``) before it is used, so tokens
/// survive a restart; ``load()`` brings the stored keys back into memory, and
/// ``verificationKeys`` gives the scoring path their public halves.
actor SigningKeyRing {
    /// A key that signs, with what a token and the JWKS need to say about it.
    struct SigningKey: Sendable {
        var record: SigningKeyRecord
        var key: ES256Key
    }

    /// What the scoring path verifies against; shared, updated here.
    nonisolated let verificationKeys: TokenVerificationKeys
    private let store: SigningKeyStore
    private let configuration: TokenConfiguration
    private let clock: WallClock
    private let logger: Logger
    /// Every live key by lower-cased workspace, oldest first; the last one without `retiredAt` is current.
    private var keys: [String: [SigningKey]] = [:]
    /// Rotations running now, by lower-cased workspace.
    private var rotations: [String: Task<SigningKey, any Error>] = [:]

    init(
        store: SigningKeyStore, verificationKeys: TokenVerificationKeys, configuration: TokenConfiguration,
        clock: WallClock, logger: Logger
    ) {
        self.store = store
        self.verificationKeys = verificationKeys
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Loads every stored key that still verifies; deletes the rest.
    func load() async throws {
        let now = self.clock.now()
        try await self.store.deleteExpired(before: now)
        var loaded: [String: [SigningKey]] = [:]
        for record in try await self.store.all() {
            if let until = record.verifyUntil, until <= now { continue }
            let key = try ES256Key(privateKeyDER: record.privateKeyDER)
            loaded[record.workspace.lowercased(), default: []].append(SigningKey(record: record, key: key))
            self.verificationKeys.insert(kid: record.kid, workspace: record.workspace, key: key, verifyUntil: record.verifyUntil)
        }
        self.keys = loaded
    }

    /// The key that signs `workspace`'s tokens now: made if there is none,
    /// replaced if it has outlived the signing-key lifetime.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    func signingKey(workspace: String) async throws -> SigningKey {
        if let current = self.current(workspace: workspace) {
            let age = self.clock.now().timeIntervalSince(current.record.createdAt)
            if age * 1000 < Double(self.configuration.signingKeyLifetime.milliseconds) { return current }
            self.logger.info("Rotating a signing key that reached its lifetime", metadata: [
                "workspace.name": "\(current.record.workspace)", "key.id": "\(current.record.kid)",
            ])
        }
        return try await self.rotate(workspace: workspace)
    }

    /// Makes a new current key for `workspace` and retires the previous one,
    /// which keeps verifying until the tokens it signed have expired.
    ///
    /// A rotation already running for the workspace is joined, not repeated:
    /// two first tokens at once make one key, and the memory and the database
    /// can never disagree about which key is current.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    @discardableResult
    func rotate(workspace: String) async throws -> SigningKey {
        let lowered = workspace.lowercased()
        if let running = self.rotations[lowered] { return try await running.value }
        // An unstructured task only so concurrent callers can share its result;
        // it inherits this actor, and every caller awaits it.
        let rotation = Task { try await self.performRotation(workspace: workspace) }
        self.rotations[lowered] = rotation
        defer { self.rotations[lowered] = nil }
        return try await rotation.value
    }

    private func performRotation(workspace: String) async throws -> SigningKey {
        let now = Date(millisecondsSince1970: self.clock.now().millisecondsSince1970)
        let previousVerifyUntil = now.addingTimeInterval(
            Double(self.configuration.tokenLifetime.milliseconds + self.configuration.clockSkew.milliseconds) / 1000
            // Token expiries are rounded up to whole seconds.
            + 1
        )
        let key = try ES256Key.generate()
        var record = SigningKeyRecord(
            workspace: workspace, kid: try SecureRandom.token(byteCount: 12), privateKeyDER: try key.privateKeyDER(),
            createdAt: now, retiredAt: nil, verifyUntil: nil
        )
        record.workspace = try await self.store.rotate(to: record, previousVerifyUntil: previousVerifyUntil)
        // Only one rotation per workspace runs at a time (``rotate(workspace:)``),
        // so the previous current key here is the one the store just retired.
        let lowered = workspace.lowercased()
        var list = self.keys[lowered] ?? []
        for index in list.indices where list[index].record.retiredAt == nil {
            list[index].record.retiredAt = now
            list[index].record.verifyUntil = previousVerifyUntil
            self.verificationKeys.retire(kid: list[index].record.kid, verifyUntil: previousVerifyUntil)
        }
        let signing = SigningKey(record: record, key: key)
        list.append(signing)
        self.keys[lowered] = list
        self.verificationKeys.insert(kid: record.kid, workspace: record.workspace, key: key, verifyUntil: nil)
        try await self.prune()
        self.logger.info("Made a new signing key", metadata: ["workspace.name": "\(record.workspace)", "key.id": "\(record.kid)"])
        return signing
    }

    /// The keys that verify `workspace`'s tokens now, current last (for the JWKS).
    /// Makes the first key if the workspace has none, so the set is never empty.
    func publishedKeys(workspace: String) async throws -> [SigningKey] {
        _ = try await self.signingKey(workspace: workspace)
        let now = self.clock.now()
        return (self.keys[workspace.lowercased()] ?? []).filter { $0.record.verifyUntil.map { $0 > now } ?? true }
    }

    /// Drops retired keys whose tokens have all expired, from memory and the database.
    private func prune() async throws {
        let now = self.clock.now()
        let expired = self.keys.values.joined().filter { $0.record.verifyUntil.map { $0 <= now } ?? false }.map(\.record.kid)
        guard !expired.isEmpty else { return }
        let dropped = Set(expired)
        for workspace in Array(self.keys.keys) {
            self.keys[workspace]?.removeAll { dropped.contains($0.record.kid) }
        }
        self.verificationKeys.remove(kids: dropped)
        try await self.store.deleteExpired(before: now.addingTimeInterval(0.001))
        self.logger.info("Dropped expired signing keys", metadata: ["keys.count": "\(dropped.count)"])
    }

    private func current(workspace: String) -> SigningKey? {
        self.keys[workspace.lowercased()]?.last { $0.record.retiredAt == nil }
    }
}
