import ModelGateWire

/// A test-only open enum, so enum fields are covered without depending on `modelgate.v1`.
struct TestColor: ProtoEnum {
    var rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    static let unspecified = TestColor(rawValue: 0)
    static let red = TestColor(rawValue: 1)
    static let green = TestColor(rawValue: 2)

    static let protoName = "wiretest.TestColor"
    static let knownValues: [(name: String, value: Int32)] = [
        ("TEST_COLOR_UNSPECIFIED", 0), ("TEST_COLOR_RED", 1), ("TEST_COLOR_GREEN", 2),
    ]
}
