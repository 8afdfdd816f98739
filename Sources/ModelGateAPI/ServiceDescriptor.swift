/// One RPC service of the schema with its methods, in `proto/` order.
public struct ServiceDescriptor: Sendable {
    /// The fully qualified service name, such as `modelgate.v1.WorkspaceService`.
    public let name: String
    /// The service's methods, each naming this service.
    public let methods: [MethodDescriptor]

    public init(name: String, methods: [MethodDescriptor]) {
        self.name = name
        self.methods = methods
    }
}
