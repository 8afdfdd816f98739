/// Why a byte sequence is not a valid encoding of a message or a frame.
///
/// Every decoding failure is one of these; none traps. The message names the
/// field number and the offending value where there is one.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so new kinds never break a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case truncated, varintTooLong, invalidWireType, wrongWireType, lengthOverrun
            case invalidUTF8, nestingTooDeep, invalidFieldNumber, valueOutOfRange, invalidFrame
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The input ended in the middle of a value.
        public static let truncated = Code(.truncated)
        /// A varint ran past 10 bytes.
        public static let varintTooLong = Code(.varintTooLong)
        /// A field key carried wire type 3, 4, 6 or 7.
        public static let invalidWireType = Code(.invalidWireType)
        /// A known field arrived with a wire type its declared type cannot have.
        public static let wrongWireType = Code(.wrongWireType)
        /// A length-delimited field claims more bytes than its message has left.
        public static let lengthOverrun = Code(.lengthOverrun)
        /// A string field holds bytes that are not UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Messages nest deeper than ``ProtoReader/maxDepth``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A field key carried field number 0 or one above 2^29-1.
        public static let invalidFieldNumber = Code(.invalidFieldNumber)
        /// A value does not fit its declared type.
        public static let valueOutOfRange = Code(.valueOutOfRange)
        /// A frame header is malformed (unknown type, bad stream id, over the size limit).
        public static let invalidFrame = Code(.invalidFrame)

        public var description: String { "\(self.wrapped)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
