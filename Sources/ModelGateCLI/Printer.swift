internal import Foundation
internal import ModelGateWire

/// Prints command results as aligned text or as JSON.
///
/// Commands describe a result once, as ordered key/value pairs, and the
/// printer renders it in the chosen ``OutputFormat``. Only results go to
/// stdout; diagnostics go to stderr.
struct Printer {
    var format: OutputFormat

    /// One object: `key: value` lines, or a JSON object.
    func printObject(_ fields: KeyValuePairs<String, Any>) {
        switch self.format {
        case .json:
            self.printJSON(Self.dictionary(fields))
        case .text:
            let width = fields.map(\.key.count).max() ?? 0
            for (key, value) in fields {
                let padded = key + ":" + String(repeating: " ", count: width - key.count + 1)
                print(padded + Self.text(value))
            }
        }
    }

    /// A list: a table with a header row, or a JSON array of objects.
    func printTable(columns: [String], rows: [[String]], json: [[String: Any]]) {
        switch self.format {
        case .json:
            self.printJSON(json)
        case .text:
            let all = [columns] + rows
            let widths = columns.indices.map { index in all.map { $0[index].count }.max() ?? 0 }
            for row in all {
                let cells = row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
                }
                print(cells.joined(separator: "  "))
            }
        }
    }

    /// A one-line confirmation, or `{"result": message}` in JSON.
    func printMessage(_ message: String, json: [String: Any]) {
        switch self.format {
        case .json: self.printJSON(json)
        case .text: print(message)
        }
    }

    private func printJSON(_ value: Any) {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
              let text = String(data: data, encoding: .utf8)
        else { return }
        print(text)
    }

    static func dictionary(_ fields: KeyValuePairs<String, Any>) -> [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in fields { result[key] = value }
        return result
    }

    static func text(_ value: Any) -> String {
        switch value {
        case let map as [String: String]:
            return map.isEmpty ? "-" : map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        case let list as [String]:
            return list.isEmpty ? "-" : list.joined(separator: ", ")
        case let string as String:
            return string.isEmpty ? "-" : string
        default:
            return "\(value)"
        }
    }

    /// An ISO 8601 time for a Unix time in milliseconds; empty for 0.
    static func time(unixMs: Int64) -> String {
        guard unixMs > 0 else { return "" }
        let date = Date(timeIntervalSince1970: Double(unixMs) / 1000)
        return ISO8601DateFormatter().string(from: date)
    }

    /// An enum value's schema name without its type prefix: `SERVING` for
    /// `SERVING_STATUS_SERVING`.
    static func name(of value: some ProtoEnum) -> String {
        let typeName = type(of: value).protoName.split(separator: ".").last.map(String.init) ?? ""
        var prefix = ""
        for character in typeName {
            if character.isUppercase && !prefix.isEmpty { prefix += "_" }
            prefix += character.uppercased()
        }
        prefix += "_"
        let name = value.protoValueName
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }
}
