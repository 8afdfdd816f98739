internal import Foundation
internal import Synchronization

/// The public side of every workspace's signing keys, parsed once and held in
/// memory for the scoring path: verifying a token costs a lock, a dictionary
/// lookup and one ECDSA verify, never a database read or a call to the token
/// service. So tokens keep verifying while a workspace's region (and with it
/// its token service) is down.
///
/// Filled and pruned by ``SigningKeyRing``; read by ``TokenAuthenticator``.
final class TokenVerificationKeys: Sendable {
    /// A key that verifies a workspace's tokens.
    struct Entry: Sendable {
        /// Lower-cased workspace name: a key only verifies its own workspace's tokens.
        var workspace: String
        var key: ES256Key
        /// When it stops verifying; nil while it is the current signing key.
        var verifyUntil: Date?
    }

    private let entries = Mutex<[String: Entry]>([:])

    init() {}

    /// The key `kid`, if it verifies `workspace`'s tokens at `time`.
    func key(_ kid: String, workspace: String, at time: Date) -> ES256Key? {
        guard let entry = self.entries.withLock({ $0[kid] }) else { return nil }
        guard entry.workspace == workspace.lowercased() else { return nil }
        if let until = entry.verifyUntil, time >= until { return nil }
        return entry.key
    }

    /// Adds or replaces a key.
    func insert(kid: String, workspace: String, key: ES256Key, verifyUntil: Date?) {
        let entry = Entry(workspace: workspace.lowercased(), key: key, verifyUntil: verifyUntil)
        self.entries.withLock { $0[kid] = entry }
    }

    /// Sets when a key stops verifying (it was just retired).
    func retire(kid: String, verifyUntil: Date) {
        self.entries.withLock { $0[kid]?.verifyUntil = verifyUntil }
    }

    /// Forgets keys.
    func remove(kids: some Sequence<String>) {
        self.entries.withLock { entries in
            for kid in kids { entries.removeValue(forKey: kid) }
        }
    }

    /// How many keys are held (for tests and logs).
    var count: Int { self.entries.withLock { $0.count } }
}
