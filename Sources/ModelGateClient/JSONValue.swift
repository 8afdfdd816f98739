internal import Foundation

/// A JSON document as it was written, so a config reader can tell `true` from
/// `1` and `"1"`, and say exactly what it got when a key has the wrong type.
enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a document.
    ///
    /// - Throws: ``ConfigFileError`` naming `file` when the bytes are not JSON.
    static func parse(_ data: Data, file: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw ConfigFileError(message: "\(file): not valid JSON: \(detail ?? context.debugDescription)")
        } catch {
            throw ConfigFileError(message: "\(file): not valid JSON: \(error)")
        }
    }

    /// A short rendering for error messages: the value itself for scalars, its kind for containers.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case .string(let value): "\"\(value.count > 40 ? value.prefix(40) + "..." : Substring(value))\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
