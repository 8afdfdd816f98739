internal import Foundation

/// Maps and lists stored as JSON text columns (tags, properties, requirement lines).
///
/// Keys are sorted so equal values are stored as equal text. A column that
/// fails to decode (written by hand, say) reads as empty rather than failing
/// the whole query.
enum JSONColumn {
    static func encode(_ map: [String: String]) -> String {
        Self.encodeValue(map, empty: "{}")
    }

    static func encode(_ list: [String]) -> String {
        Self.encodeValue(list, empty: "[]")
    }

    static func map(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    static func list(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    private static func encodeValue(_ value: some Encodable, empty: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and maps of strings cannot fail.
        guard let data = try? encoder.encode(value) else { return empty }
        return String(decoding: data, as: UTF8.self)
    }
}
