import ModelGateWire

/// A test-only message with the structured field kinds: a singular and a
/// repeated sub-message, a map, and a scalar to watch merges.
struct Composite: ProtoMessage {
    var name = ""
    var child: AllScalars?
    var children: [AllScalars] = []
    var labels: [String: String] = [:]
    var count: Int32 = 0
    var unknownFields = UnknownFields()
    init() {}

    static let protoName = "wiretest.Composite"
    static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .message(2, "child", \.child),
        .repeatedMessage(3, "children", \.children),
        .map(4, "labels", \.labels),
        .int32(5, "count", \.count),
    ]
}
