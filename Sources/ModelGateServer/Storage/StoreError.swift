public import ModelGateAPI

/// A store's answer that is the caller's fault or a fact about the data, not a failure.
public enum StoreError: Error, Sendable, Equatable {
    /// No `kind` named `name` exists (a workspace, principal, region...).
    case notFound(kind: String, name: String)
    /// A `kind` named `name` exists already.
    case alreadyExists(kind: String, name: String)
}

extension StoreError: RPCErrorConvertible {
    public var rpcErrorCode: StatusCode {
        switch self {
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        }
    }

    public var rpcErrorMessage: String {
        switch self {
        case .notFound(let kind, let name): "\(kind) '\(name)' does not exist"
        case .alreadyExists(let kind, let name): "\(kind) '\(name)' already exists"
        }
    }
}
