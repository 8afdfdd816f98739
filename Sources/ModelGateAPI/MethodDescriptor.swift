public import ModelGateWire

/// One RPC method of the schema: its name, message types and streaming shape.
///
/// The server's router and the clients use these to agree on what a method path carries;
/// the contract test checks every one against `protoc`'s descriptor set.
public struct MethodDescriptor: Sendable {
    /// The fully qualified service name, such as `modelgate.v1.WorkspaceService`.
    public let service: String
    /// The method name, such as `CreateWorkspace`.
    public let name: String
    /// The request message type.
    public let inputType: any ProtoMessage.Type
    /// The response message type.
    public let outputType: any ProtoMessage.Type
    /// Whether the caller sends a stream of requests.
    public let clientStreaming: Bool
    /// Whether the server answers with a stream of responses.
    public let serverStreaming: Bool

    public init(
        service: String,
        name: String,
        inputType: any ProtoMessage.Type,
        outputType: any ProtoMessage.Type,
        clientStreaming: Bool,
        serverStreaming: Bool
    ) {
        self.service = service
        self.name = name
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
    }

    /// The full method name sent in ``CallHeaders/method``: `/modelgate.v1.WorkspaceService/CreateWorkspace`.
    public var path: String { "/\(self.service)/\(self.name)" }
}
