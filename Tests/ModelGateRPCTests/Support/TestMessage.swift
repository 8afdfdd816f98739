import ModelGateWire

/// The request and response of every test method: some text, a number, some bytes.
struct TestMessage: ProtoMessage {
    var text = ""
    var number: Int64 = 0
    var payload: [UInt8] = []
    var unknownFields = UnknownFields()
    init() {}

    init(text: String = "", number: Int64 = 0, payload: [UInt8] = []) {
        self.text = text
        self.number = number
        self.payload = payload
    }

    static let protoName = "test.TestMessage"
    static let fields: [ProtoField<Self>] = [
        .string(1, "text", \.text),
        .int64(2, "number", \.number),
        .bytes(3, "payload", \.payload),
    ]
}
