import ModelGateAPI
import ModelGateWire

/// Decodes the input as one message type of ``ModelGateSchema/messages`` and
/// checks the round trip.
///
/// The first byte picks the type; the rest is the encoded message. For a
/// successful decode `x`: `decode(encode(x))` must succeed and equal `x`, and
/// encoding is deterministic (`encode(decode(encode(x))) == encode(x)`). A
/// message holding a NaN equals no copy of itself, so for those only the
/// bytes are compared.
enum MessageRoundTripTarget {
    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let types = ModelGateSchema.messages
        let type = types[Int(first) % types.count]
        roundTrip(type, Array(bytes.dropFirst()))
    }

    static func roundTrip<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) {
        guard let decoded = try? M(decoding: bytes) else { return }
        let encoded = decoded.encoded()
        let again: M
        do {
            again = try M(decoding: encoded)
        } catch {
            fatalError("\(M.protoName): the encoding of a decoded message does not decode: \(error); input \(bytes), encoding \(encoded)")
        }
        let reencoded = again.encoded()
        guard reencoded == encoded else {
            fatalError("\(M.protoName): encoding is not deterministic: \(encoded) then \(reencoded); input \(bytes)")
        }
        // NaN != NaN, so a message holding one equals no copy of itself. A second
        // decode of the same bytes is such a copy with its own storage (comparing
        // `decoded` with itself would not do: arrays compare equal by identity).
        let twin = try? M(decoding: bytes)
        if twin == decoded {
            guard again == decoded else {
                fatalError("\(M.protoName): decode(encode(x)) != x: \(again) vs \(decoded); input \(bytes)")
            }
        }
    }
}
