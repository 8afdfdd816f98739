public import Foundation

/// A user or service principal as stored: who a control-plane call acts as.
public struct PrincipalRecord: Sendable, Hashable {
    /// What kind of identity this is, as in Azure AD.
    public enum Kind: String, Sendable {
        case user
        case servicePrincipal = "service_principal"
    }

    /// Internal id (a UUID) that role assignments and tokens reference.
    public var id: String
    /// The public half of the credentials, chosen by the server; the name clients use.
    public var clientID: String
    public var displayName: String
    public var kind: Kind
    /// An admin may call the administrative methods and is `Owner` of every workspace.
    public var isAdmin: Bool
    public var createdAt: Date

    public init(id: String, clientID: String, displayName: String, kind: Kind, isAdmin: Bool, createdAt: Date) {
        self.id = id
        self.clientID = clientID
        self.displayName = displayName
        self.kind = kind
        self.isAdmin = isAdmin
        self.createdAt = createdAt
    }
}
