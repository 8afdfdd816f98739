/// Reads one JSON object of a config file with typed getters that name the
/// file and the key in every error, and remembers which keys were read so
/// the rest can be reported as unknown.
///
/// A key whose value is `null` counts as absent, as Azure's readers treat it
/// (`dict.get(key)` is `None` either way).
final class ConfigObjectReader {
    let file: String
    /// The dotted path of this object inside the document, with a trailing `.` (empty at the top).
    let prefix: String
    private let object: [String: JSONValue]
    private var seen: Set<String> = []

    init(file: String, prefix: String = "", object: [String: JSONValue]) {
        self.file = file
        self.prefix = prefix
        self.object = object
    }

    /// The top-level object of a document.
    static func document(_ value: JSONValue, file: String) throws -> ConfigObjectReader {
        guard case .object(let object) = value else {
            throw ConfigFileError(message: "\(file): expected a JSON object at the top, got \(value.summary)")
        }
        return ConfigObjectReader(file: file, object: object)
    }

    /// Whether the key is present with a value other than `null`.
    func has(_ key: String) -> Bool {
        if let value = self.object[key], value != .null { return true }
        return false
    }

    /// The raw value, marking the key as read; `nil` when absent or `null`.
    func value(_ key: String) -> JSONValue? {
        self.seen.insert(key)
        guard let value = self.object[key], value != .null else { return nil }
        return value
    }

    /// Marks keys as read without using them (known keys that mean nothing here).
    func ignore(_ keys: String...) {
        self.seen.formUnion(keys)
    }

    func string(_ key: String) throws -> String? {
        guard let value = self.value(key) else { return nil }
        guard case .string(let string) = value else { throw self.wrongType(key, "a string", value) }
        return string
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = self.value(key) else { return nil }
        guard case .bool(let bool) = value else { throw self.wrongType(key, "true or false", value) }
        return bool
    }

    /// A number that is not negative (CPU cores, memory).
    func nonNegativeNumber(_ key: String) throws -> Double? {
        guard let value = self.value(key) else { return nil }
        guard case .number(let number) = value, number.isFinite else { throw self.wrongType(key, "a number", value) }
        guard number >= 0 else { throw self.wrongType(key, "a number that is not negative", value) }
        return number
    }

    /// A whole number from 0 to `UInt32.max` (counts, milliseconds, percentages).
    func uint32(_ key: String) throws -> UInt32? {
        guard let value = self.value(key) else { return nil }
        guard case .number(let number) = value, number == number.rounded(), number >= 0, number <= Double(UInt32.max) else {
            throw self.wrongType(key, "a whole number from 0 to \(UInt32.max)", value)
        }
        return UInt32(number)
    }

    /// An object whose values are all strings (tags, properties, environment variables).
    func stringMap(_ key: String) throws -> [String: String]? {
        guard let value = self.value(key) else { return nil }
        guard case .object(let object) = value else { throw self.wrongType(key, "an object of strings", value) }
        var result: [String: String] = [:]
        for (name, item) in object {
            guard case .string(let string) = item else {
                throw ConfigFileError(message: "\(self.file): \(self.prefix)\(key).\(name) must be a string, got \(item.summary)")
            }
            result[name] = string
        }
        return result
    }

    func array(_ key: String) throws -> [JSONValue]? {
        guard let value = self.value(key) else { return nil }
        guard case .array(let array) = value else { throw self.wrongType(key, "an array", value) }
        return array
    }

    /// A nested object, read with its own reader.
    func object(_ key: String) throws -> ConfigObjectReader? {
        guard let value = self.value(key) else { return nil }
        guard case .object(let object) = value else { throw self.wrongType(key, "an object", value) }
        return ConfigObjectReader(file: self.file, prefix: self.prefix + key + ".", object: object)
    }

    /// The dotted path of a key, for messages.
    func path(_ key: String) -> String { self.prefix + key }

    /// One warning per key that no getter asked for, in name order.
    func unknownKeyWarnings() -> [String] {
        self.object.keys.filter { !self.seen.contains($0) }.sorted().map {
            "\(self.file): unknown key '\(self.prefix)\($0)' ignored"
        }
    }

    func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> ConfigFileError {
        ConfigFileError(message: "\(self.file): \(self.prefix)\(key) must be \(expected), got \(value.summary)")
    }
}
