internal import ModelGateAPI
internal import Foundation

/// Turns a call's `authorization: Bearer <token>` metadata into the caller.
///
/// Every failure is `UNAUTHENTICATED` with a message saying which of the four
/// things went wrong (missing, malformed, unknown, expired) and what to do;
/// none of them echoes the token.
public struct Authenticator: Sendable {
    private let issuer: AccessTokenIssuer
    private let principals: PrincipalStore
    /// Attached to every caller as a snapshot; `nil` means every region is up.
    private let regionAvailability: RegionAvailability?

    /// - Parameter regionAvailability: the server's region cache, so that
    ///   access checks can refuse workspaces in a downed region.
    public init(issuer: AccessTokenIssuer, principals: PrincipalStore, regionAvailability: RegionAvailability? = nil) {
        self.issuer = issuer
        self.principals = principals
        self.regionAvailability = regionAvailability
    }

    /// The metadata key that carries the token (keys are lower-case on the wire).
    public static let metadataKey = "authorization"

    /// Authenticates a call from its metadata.
    ///
    /// - Throws: ``RPCError`` `UNAUTHENTICATED`.
    public func authenticate(metadata: [String: String]) async throws -> AuthenticatedCaller {
        let token = try Self.bearerToken(in: metadata)
        switch try await self.issuer.verify(token) {
        case .unknown:
            throw RPCError(code: .unauthenticated, message: "unknown access token: sign in again (SignIn) for a new one")
        case .expired(let expiredAt):
            throw RPCError(
                code: .unauthenticated,
                message: "access token expired at \(expiredAt.formatted(.iso8601)): sign in again (SignIn) for a new one"
            )
        case .valid(let principalID, let expiresAt):
            guard let principal = try await self.principals.principal(id: principalID) else {
                // Deleting a principal cascades to its tokens; this is the narrow race in between.
                throw RPCError(code: .unauthenticated, message: "unknown access token: its principal no longer exists")
            }
            let roles = try await self.principals.roleAssignments(principalID: principalID)
            return AuthenticatedCaller(
                principal: principal, roleAssignments: roles, tokenExpiresAt: expiresAt,
                regions: self.regionAvailability?.snapshot() ?? .allAvailable
            )
        }
    }

    /// Extracts the token from `authorization: Bearer <token>`.
    static func bearerToken(in metadata: [String: String]) throws(RPCError) -> String {
        guard let value = metadata[Self.metadataKey], !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RPCError(
                code: .unauthenticated,
                message: "missing access token: send metadata 'authorization: Bearer <token>' (get a token with SignIn)"
            )
        }
        let parts = value.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw RPCError(code: .unauthenticated, message: "malformed authorization metadata: expected 'Bearer <token>'")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard token.utf8.count == AccessTokenIssuer.tokenLength, Base64URL.isValid(token) else {
            throw RPCError(
                code: .unauthenticated,
                message: "malformed access token: expected \(AccessTokenIssuer.tokenLength) base64url characters"
            )
        }
        return token
    }
}
