/// Checks that bytes are one JSON value (RFC 8259), without building it.
///
/// Data collection embeds a JSON body in its record as it is, so it must know
/// the body is JSON; parsing it with Foundation for that would allocate a
/// whole object tree per request on the writer, which shares the cores with
/// scoring. This walks the bytes once and allocates nothing. Nesting deeper
/// than ``maxDepth`` counts as not JSON (the body is then kept as base64).
enum JSONSyntax {
    static let maxDepth = 512

    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            parser.skipWhitespace()
            guard parser.value(depth: 0) else { return false }
            parser.skipWhitespace()
            return parser.index == buffer.count
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

        mutating func skipWhitespace() {
            while let byte = self.current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { self.index += 1 }
        }

        mutating func value(depth: Int) -> Bool {
            guard let byte = self.current else { return false }
            switch byte {
            case UInt8(ascii: "{"): return depth < JSONSyntax.maxDepth && self.object(depth: depth + 1)
            case UInt8(ascii: "["): return depth < JSONSyntax.maxDepth && self.array(depth: depth + 1)
            case UInt8(ascii: "\""): return self.string()
            case UInt8(ascii: "t"): return self.literal("true")
            case UInt8(ascii: "f"): return self.literal("false")
            case UInt8(ascii: "n"): return self.literal("null")
            default: return self.number()
            }
        }

        mutating func object(depth: Int) -> Bool {
            self.index += 1
            self.skipWhitespace()
            if self.current == UInt8(ascii: "}") {
                self.index += 1
                return true
            }
            while true {
                guard self.current == UInt8(ascii: "\""), self.string() else { return false }
                self.skipWhitespace()
                guard self.current == UInt8(ascii: ":") else { return false }
                self.index += 1
                self.skipWhitespace()
                guard self.value(depth: depth) else { return false }
                self.skipWhitespace()
                switch self.current {
                case UInt8(ascii: ","):
                    self.index += 1
                    self.skipWhitespace()
                case UInt8(ascii: "}"):
                    self.index += 1
                    return true
                default:
                    return false
                }
            }
        }

        mutating func array(depth: Int) -> Bool {
            self.index += 1
            self.skipWhitespace()
            if self.current == UInt8(ascii: "]") {
                self.index += 1
                return true
            }
            while true {
                guard self.value(depth: depth) else { return false }
                self.skipWhitespace()
                switch self.current {
                case UInt8(ascii: ","):
                    self.index += 1
                    self.skipWhitespace()
                case UInt8(ascii: "]"):
                    self.index += 1
                    return true
                default:
                    return false
                }
            }
        }

        /// A string literal; UTF-8 validity is left to the reader (JSON
        /// readers accept what the client sent, as the replica did).
        mutating func string() -> Bool {
            self.index += 1
            while let byte = self.current {
                self.index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard let escaped = self.current else { return false }
                    self.index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = self.current, Self.isHexDigit(hex) else { return false }
                            self.index += 1
                        }
                    default:
                        return false
                    }
                case 0x00..<0x20:
                    return false
                default:
                    continue
                }
            }
            return false
        }

        mutating func number() -> Bool {
            if self.current == UInt8(ascii: "-") { self.index += 1 }
            guard let first = self.current, Self.isDigit(first) else { return false }
            self.index += 1
            if first != UInt8(ascii: "0") { self.digits() }
            if self.current == UInt8(ascii: ".") {
                self.index += 1
                guard let digit = self.current, Self.isDigit(digit) else { return false }
                self.digits()
            }
            if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
                self.index += 1
                if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
                guard let digit = self.current, Self.isDigit(digit) else { return false }
                self.digits()
            }
            return true
        }

        mutating func digits() {
            while let byte = self.current, Self.isDigit(byte) { self.index += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard self.bytes.count - self.index >= count else { return false }
            for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] { return false }
            self.index += count
            return true
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        static func isHexDigit(_ byte: UInt8) -> Bool {
            Self.isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
        }
    }
}
