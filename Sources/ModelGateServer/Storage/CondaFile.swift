internal import Foundation

/// What ModelGate reads from a conda environment YAML (`conda_dependencies.yml`):
/// the channels, the conda packages, the Python version, and the pip section.
///
/// Only the shapes conda files take in practice are understood (block and flow
/// lists under top-level `channels:` and `dependencies:`, a `- pip:` item with
/// its own list, comments and quotes), so no YAML library is needed. Anything
/// else is ignored rather than refused: the file is also kept whole, for a
/// conda-capable backend.
///
/// ```yaml
/// name: project_environment
/// channels: [conda-forge]
/// dependencies:
///   - python=3.11
///   - numpy
///   - pip:
///     - scikit-learn==1.5.0
/// ```
struct CondaFile: Sendable, Hashable {
    var channels: [String] = []
    /// Conda packages other than `python` and `pip`, as written.
    var condaPackages: [String] = []
    /// The `python=X.Y` dependency's version, if there is one.
    var pythonVersion: String?
    /// The `pip:` section's lines.
    var pipRequirements: [String] = []

    init(parsing text: String) {
        var key = ""
        /// The indentation of the `- pip:` item while reading its list.
        var pipIndent: Int?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = Self.stripComment(String(rawLine))
            let content = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !content.isEmpty, content != "---" else { continue }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if content.hasPrefix("- ") || content == "-" {
                let item = String(content.dropFirst(1)).trimmingCharacters(in: .whitespacesAndNewlines)
                if let pip = pipIndent, indent > pip {
                    self.pipRequirements.append(Self.unquote(item))
                    continue
                }
                pipIndent = nil
                switch key {
                case "channels":
                    self.channels.append(Self.unquote(item))
                case "dependencies":
                    if item == "pip:" || item.hasPrefix("pip:") {
                        pipIndent = indent
                        let rest = String(item.dropFirst(4)).trimmingCharacters(in: .whitespacesAndNewlines)
                        if !rest.isEmpty { self.pipRequirements += Self.flowList(rest) }
                    } else {
                        self.addCondaPackage(Self.unquote(item))
                    }
                default:
                    break
                }
                continue
            }
            // A mapping key. Only top-level keys matter; nested ones end any list.
            pipIndent = nil
            guard let colon = content.firstIndex(of: ":") else { continue }
            if indent == 0 {
                key = String(content[..<colon]).trimmingCharacters(in: .whitespacesAndNewlines)
                let value = String(content[content.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
                if value.hasPrefix("[") {
                    let items = Self.flowList(value)
                    switch key {
                    case "channels": self.channels += items
                    case "dependencies": items.forEach { self.addCondaPackage($0) }
                    default: break
                    }
                }
            }
        }
    }

    private mutating func addCondaPackage(_ package: String) {
        let name = String(package.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
        switch name.lowercased() {
        case "pip":
            return
        case "python":
            let version = package.dropFirst(name.count).drop { $0 == "=" || $0 == " " }
            // Only an exact pin (`python=3.11`, `python==3.11.4`) names a version to use.
            if package.dropFirst(name.count).trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("="), !version.isEmpty {
                self.pythonVersion = String(version).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        default:
            self.condaPackages.append(package)
        }
    }

    /// `[a, "b", c]` → `["a", "b", "c"]`.
    private static func flowList(_ text: String) -> [String] {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("[") { body.removeFirst() }
        if body.hasSuffix("]") { body.removeLast() }
        return body.split(separator: ",").map { Self.unquote(String($0).trimmingCharacters(in: .whitespacesAndNewlines)) }.filter { !$0.isEmpty }
    }

    private static func unquote(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }

    /// The line without a `#` comment (one at the start or after whitespace, outside quotes).
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " || previous == "\t" {
                return String(line[..<index])
            }
            previous = character
        }
        return line
    }
}
