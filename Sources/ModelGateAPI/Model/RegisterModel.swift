public import ModelGateWire

/// One message of RegisterModel's request stream (`modelgate.v1.RegisterModelRequest`).
public struct RegisterModelRequest: ProtoMessage {
    /// Set in the first message only.
    public var registration: ModelRegistration?
    /// Set in every later message.
    public var chunk: ModelFileChunk?
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RegisterModelRequest"
    public static let fields: [ProtoField<Self>] = [
        .message(1, "registration", \.registration),
        .message(2, "chunk", \.chunk),
    ]
}
