internal import Foundation
internal import Logging
internal import NIOPosix

/// Creates the first principal on a fresh server and hands its credentials
/// to the operator through `<dataDir>/credentials.json`.
enum AdminBootstrap {
    /// Makes the admin principal if no principal exists yet.
    ///
    /// Crash safety: the credentials file is written (and fsynced) before the
    /// principal is committed. A crash in between leaves a file whose
    /// principal does not exist; since there are still no principals, the
    /// next start simply makes a new one and overwrites the file. The reverse
    /// order could leave an admin whose secret nobody knows.
    ///
    /// - Returns: `true` when it created the principal.
    @discardableResult
    static func ensureAdmin(
        principals: PrincipalStore, hasher: SecretHasher, clock: WallClock, credentialsPath: String, logger: Logger
    ) async throws -> Bool {
        guard try await principals.count() == 0 else {
            if !FileManager.default.fileExists(atPath: credentialsPath) {
                logger.warning("Credentials file is missing; sign in with another admin principal's credentials", metadata: [
                    "credentials.path": "\(credentialsPath)",
                ])
            }
            return false
        }
        let (record, secret) = try await IdentityService.makePrincipal(
            displayName: "admin", kind: .user, isAdmin: true, hasher: hasher, clock: clock
        )
        let credentials = CredentialsFile(clientID: record.clientID, clientSecret: secret.plain, server: "")
        // fsync blocks, so the write runs on the thread pool, not the cooperative pool.
        try await NIOThreadPool.singleton.runIfActive { try credentials.write(to: credentialsPath) }
        try await principals.create(record, secret: secret.hashed)
        logger.info("Created the admin principal and wrote its credentials", metadata: [
            "credentials.path": "\(credentialsPath)", "principal.client_id": "\(record.clientID)",
        ])
        return true
    }

    /// Records where the server listens in the credentials file, so the CLI finds it.
    static func recordServerAddress(_ address: String, credentialsPath: String, logger: Logger) async {
        do {
            try await NIOThreadPool.singleton.runIfActive {
                var credentials = try CredentialsFile.read(from: credentialsPath)
                guard credentials.server != address else { return }
                credentials.server = address
                try credentials.write(to: credentialsPath)
            }
        } catch {
            logger.warning("Could not record the server address in the credentials file", metadata: [
                "credentials.path": "\(credentialsPath)", "error": "\(error)",
            ])
        }
    }
}
