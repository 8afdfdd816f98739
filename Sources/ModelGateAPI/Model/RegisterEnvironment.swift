public import ModelGateWire

/// Request of RegisterEnvironment (`modelgate.v1.RegisterEnvironmentRequest`).
public struct RegisterEnvironmentRequest: ProtoMessage {
    /// The environment to register; workspace and name are required, the fields the server sets are ignored.
    public var environment: Environment?
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RegisterEnvironmentRequest"
    public static let fields: [ProtoField<Self>] = [
        .message(1, "environment", \.environment),
    ]
}
