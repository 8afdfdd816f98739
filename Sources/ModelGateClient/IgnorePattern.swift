/// One line of a `.gitignore` or `.amlignore` file, with git's matching rules.
///
/// What a line means (git's `gitignore(5)`):
/// - a blank line or one starting with `#` matches nothing (`\#` is a literal `#`);
/// - trailing spaces are dropped unless escaped with `\`;
/// - a leading `!` negates: a path it matches is included again (`\!` is a literal `!`);
/// - a trailing `/` matches directories only;
/// - a `/` at the start or in the middle anchors the pattern to the ignore
///   file's folder; otherwise it matches a name at any depth;
/// - `*` matches anything but `/`, `?` one character but `/`, `[a-z]` a class;
///   `**/` at the start matches in every folder, `/**` at the end everything
///   inside, `/**/` in the middle zero or more folders.
public struct IgnorePattern: Sendable, Hashable {
    /// The glob, without the `!`, the leading `/` and the trailing `/`.
    public let glob: String
    /// Whether a match includes the path again (`!pattern`).
    public let isNegated: Bool
    /// Whether it matches only directories (`pattern/`).
    public let isDirectoryOnly: Bool
    /// Whether it matches the whole path from the root, or only a name at any depth.
    public let isAnchored: Bool

    private let characters: [Character]

    /// Reads one line; `nil` for blank lines and comments.
    public init?(line: String) {
        var text = Substring(line)
        if text.hasSuffix("\r") { text = text.dropLast() }
        text = Self.trimmingUnescapedTrailingSpaces(text)
        guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text = text.dropFirst()
        }
        var directoryOnly = false
        while text.hasSuffix("/") {
            directoryOnly = true
            text = text.dropLast()
        }
        var anchored = text.dropLast().contains("/") || text.hasPrefix("/")
        if text.hasPrefix("/") {
            text = text.drop { $0 == "/" }
            anchored = true
        }
        guard !text.isEmpty else { return nil }
        self.glob = String(text)
        self.isNegated = negated
        self.isDirectoryOnly = directoryOnly
        self.isAnchored = anchored
        self.characters = Array(text)
    }

    /// Whether the pattern matches a path.
    ///
    /// - Parameters:
    ///   - path: relative to the ignore file's folder, `/`-separated, without a leading `/`.
    ///   - isDirectory: whether the path is a directory.
    public func matches(_ path: String, isDirectory: Bool) -> Bool {
        if self.isDirectoryOnly && !isDirectory { return false }
        if self.isAnchored {
            return Self.match(self.characters[...], Array(path)[...])
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return Self.match(self.characters[...], Array(name)[...])
    }

    // MARK: Matching

    /// Matches a glob against a whole path (both as characters), as git's
    /// wildmatch does with `WM_PATHNAME`.
    static func match(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        while p < pattern.endIndex {
            let character = pattern[p]
            switch character {
            case "*":
                let isDouble = p + 1 < pattern.endIndex && pattern[p + 1] == "*"
                let atSegmentStart = p == pattern.startIndex || pattern[p - 1] == "/"
                if isDouble && atSegmentStart {
                    let after = p + 2
                    if after == pattern.endIndex {
                        // `**` at the end: everything below.
                        return true
                    }
                    if pattern[after] == "/" {
                        // `**/`: zero or more whole folders, then the rest.
                        let rest = pattern[(after + 1)...]
                        if Self.match(rest, text[t...]) { return true }
                        var index = t
                        while index < text.endIndex {
                            if text[index] == "/", Self.match(rest, text[(index + 1)...]) { return true }
                            index += 1
                        }
                        return false
                    }
                }
                // `*` (or a `**` that is not a whole segment): any run without `/`.
                var next = p + 1
                while next < pattern.endIndex && pattern[next] == "*" { next += 1 }
                let rest = pattern[next...]
                var index = t
                while true {
                    if Self.match(rest, text[index...]) { return true }
                    guard index < text.endIndex, text[index] != "/" else { return false }
                    index += 1
                }
            case "?":
                guard t < text.endIndex, text[t] != "/" else { return false }
                p += 1
                t += 1
            case "[":
                guard t < text.endIndex, text[t] != "/",
                    let (matched, end) = Self.matchClass(pattern, from: p, character: text[t])
                else {
                    // An unterminated `[` is a literal.
                    guard t < text.endIndex, text[t] == "[", Self.classEnd(pattern, from: p) == nil else { return false }
                    p += 1
                    t += 1
                    continue
                }
                guard matched else { return false }
                p = end
                t += 1
            case "\\" where p + 1 < pattern.endIndex:
                guard t < text.endIndex, text[t] == pattern[p + 1] else { return false }
                p += 2
                t += 1
            default:
                guard t < text.endIndex, text[t] == character else { return false }
                p += 1
                t += 1
            }
        }
        return t == text.endIndex
    }

    /// The index after the `]` closing the class that opens at `start`, or `nil` if it is unterminated.
    private static func classEnd(_ pattern: ArraySlice<Character>, from start: Int) -> Int? {
        var index = start + 1
        if index < pattern.endIndex && (pattern[index] == "!" || pattern[index] == "^") { index += 1 }
        // A `]` right after the opening is a member, not the end.
        if index < pattern.endIndex && pattern[index] == "]" { index += 1 }
        while index < pattern.endIndex {
            if pattern[index] == "\\" { index += 2; continue }
            if pattern[index] == "]" { return index + 1 }
            index += 1
        }
        return nil
    }

    /// Whether `character` is in the class that opens at `start`, and where the class ends.
    private static func matchClass(_ pattern: ArraySlice<Character>, from start: Int, character: Character) -> (Bool, Int)? {
        guard let end = Self.classEnd(pattern, from: start) else { return nil }
        let close = end - 1
        var index = start + 1
        var negated = false
        if pattern[index] == "!" || pattern[index] == "^" {
            negated = true
            index += 1
        }
        var found = false
        while index < close {
            var low = pattern[index]
            if low == "\\", index + 1 < close {
                index += 1
                low = pattern[index]
            }
            if index + 2 < close, pattern[index + 1] == "-" {
                var high = pattern[index + 2]
                var step = 3
                if high == "\\", index + 3 < close {
                    high = pattern[index + 3]
                    step = 4
                }
                if low <= character && character <= high { found = true }
                index += step
            } else {
                if low == character { found = true }
                index += 1
            }
        }
        return (found != negated, end)
    }

    /// Drops trailing spaces that are not escaped with a backslash.
    private static func trimmingUnescapedTrailingSpaces(_ text: Substring) -> Substring {
        var end = text.endIndex
        while end > text.startIndex {
            let before = text.index(before: end)
            guard text[before] == " " else { break }
            if before > text.startIndex, text[text.index(before: before)] == "\\" { break }
            end = before
        }
        return text[..<end]
    }
}
