import ModelGateWire
import Testing

/// A type-erased message for parameterised tests.
struct AnyMessage: Sendable, CustomTestStringConvertible {
    let name: String
    let declaredFieldNumbers: Set<Int>
    let encodedBytes: [UInt8]
    private let roundTrip: @Sendable () throws -> Bool

    init<M: ProtoMessage>(_ message: M) {
        self.name = M.protoName
        self.declaredFieldNumbers = Set(M.fields.map(\.descriptor.number))
        self.encodedBytes = message.encoded()
        self.roundTrip = {
            let decoded = try M(decoding: message.encoded())
            return decoded == message && decoded.encoded() == message.encoded() && decoded.unknownFields.isEmpty
        }
    }

    var testDescription: String { self.name }
    var encodedHex: String { MessageFixtures.hex(self.encodedBytes) }

    func roundTrips() throws -> Bool { try self.roundTrip() }

    /// The top-level field numbers present in the encoding.
    func fieldNumbersOnWire() throws -> Set<Int> {
        var reader = ProtoReader(bytes: self.encodedBytes)
        var numbers = Set<Int>()
        while true {
            let start = reader.offset
            guard let (number, wireType) = try reader.readKey() else { return numbers }
            numbers.insert(number)
            _ = try reader.skipField(fieldNumber: number, wireType: wireType, keyStart: start)
        }
    }
}
