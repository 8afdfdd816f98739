/// A value bound to a statement parameter or read from a result column.
///
/// Stores pass every piece of caller-controlled data as a bound parameter, never
/// spliced into SQL text, so names like `x'); DROP TABLE` are just names.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
    /// An `Int` as a 64-bit integer column.
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// A `Bool` as SQLite's usual 0/1 integer.
    public static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }

    /// A string, or NULL when absent.
    public static func optionalText(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
}
