public import ModelGateWire

/// Request of WaitForDeployment (`modelgate.v1.WaitForDeploymentRequest`).
public struct WaitForDeploymentRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var name = ""
    /// Also stream replica output lines as events (Azure's show_output).
    public var showOutput = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.WaitForDeploymentRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .bool(3, "show_output", \.showOutput),
    ]
}
