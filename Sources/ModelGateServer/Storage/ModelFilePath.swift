public import ModelGateAPI

/// A model file's path, checked to stay inside the model's directory.
///
/// Paths come from clients and later become file names under the data
/// directory (``ModelStore/materialize(models:)``), so anything that could
/// climb out or mean something else on disk is refused: absolute paths, `..`
/// and `.` components, empty components (`a//b`, a trailing `/`), backslashes
/// (a Windows separator that would otherwise become part of a name), NUL and
/// other control characters.
public struct ModelFilePath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path as sent: components joined by `/`.
    public let value: String
    /// The path's components, none empty, `.` or `..`.
    public let components: [String]

    /// Checks `path`.
    ///
    /// - Throws: `INVALID_ARGUMENT` naming the path and the rule it breaks.
    public init(validating path: String, maxBytes: Int = ModelLimits().maxPathBytes) throws(RPCError) {
        func refuse(_ reason: String) -> RPCError {
            RPCError(code: .invalidArgument, message: "invalid model file path '\(Self.printable(path))': \(reason)")
        }
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw RPCError(code: .invalidArgument, message: "a model file path is empty") }
        guard bytes.count <= maxBytes else {
            throw refuse("too long (max: \(maxBytes) bytes, actual: \(bytes.count))")
        }
        guard bytes.first != UInt8(ascii: "/") else { throw refuse("absolute paths are not allowed; send paths relative to the model's root") }
        guard !bytes.contains(UInt8(ascii: "\\")) else { throw refuse("use '/' as the separator, not '\\'") }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { throw refuse("control characters are not allowed") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for component in components {
            switch component {
            case "": throw refuse("empty path components ('//' or a leading or trailing '/') are not allowed")
            case ".", "..": throw refuse("'\(component)' components are not allowed")
            default:
                guard component.utf8.count <= ModelLimits.maxPathComponentBytes else {
                    throw refuse("a component is longer than \(ModelLimits.maxPathComponentBytes) bytes")
                }
            }
        }
        self.value = path
        self.components = components
    }

    public var description: String { self.value }

    public static func < (lhs: ModelFilePath, rhs: ModelFilePath) -> Bool { lhs.value < rhs.value }

    /// True when `other` lies inside this path taken as a directory (`a` and `a/b`):
    /// the two cannot both be files.
    func isAncestor(of other: ModelFilePath) -> Bool {
        other.components.count > self.components.count
            && Array(other.components.prefix(self.components.count)) == self.components
    }

    /// The path with control characters escaped, for error messages.
    static func printable(_ path: String) -> String {
        var text = ""
        for scalar in path.prefix(200).unicodeScalars {
            text += scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return text
    }
}
