public import Foundation

/// One vector written by `tools/conformance/generate.py`: a message's bytes as the
/// official protobuf library serialises them deterministically.
public struct ConformanceVector: Decodable, Sendable, CustomStringConvertible {
    /// The message's full name, such as `modelgate.v1.CallHeaders`.
    public var message: String
    /// `all_fields`, `defaults` or `unknown_fields`.
    public var `case`: String
    /// The vector's file name in `tools/conformance/vectors/`.
    public var file: String
    /// The bytes, hex-encoded.
    public var hex: String

    public var description: String { "\(self.message).\(self.case)" }

    /// The vector's bytes, from ``hex``.
    ///
    /// - Throws: ``Malformed`` when the index holds something that is not hex.
    public func bytes() throws -> [UInt8] {
        let digits = Array(self.hex.utf8)
        guard digits.count.isMultiple(of: 2) else { throw Malformed(description: "\(self): odd-length hex") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else {
                throw Malformed(description: "\(self): not hex at offset \(index)")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// Lower-case hex of `bytes`, as ``hex`` spells it.
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Index: Decodable {
        var vectors: [ConformanceVector]
    }

    /// Every vector listed in `tools/conformance/vectors/index.json`.
    public static func all(in directory: URL = RepositoryLayout.conformance.appending(path: "vectors")) throws -> [ConformanceVector] {
        let data = try Data(contentsOf: directory.appending(path: "index.json"))
        return try JSONDecoder().decode(Index.self, from: data).vectors
    }
}
