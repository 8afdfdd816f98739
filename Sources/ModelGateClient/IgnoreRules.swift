internal import Foundation

/// The patterns of a source directory's ignore file, as Azure ML reads them
/// when it uploads a source directory: `.amlignore` if the folder has one,
/// else `.gitignore`, else nothing is ignored.
///
/// Only the file at the root of the source directory counts, as with Azure.
/// The last pattern that matches a path decides, so `!keep.log` after `*.log`
/// keeps that file; as in git, a file inside an ignored folder cannot be
/// included again (the folder is not even read).
///
/// ```swift
/// let rules = IgnoreRules(text: "*.pyc\n__pycache__/\n!keep.pyc\n")
/// rules.isIgnored("src/model.pyc", isDirectory: false)   // true
/// rules.isIgnored("keep.pyc", isDirectory: false)        // false
/// ```
public struct IgnoreRules: Sendable, Hashable {
    /// The patterns, in file order.
    public var patterns: [IgnorePattern]
    /// The file they came from (`.amlignore` or `.gitignore`), or `nil` for none.
    public var fileName: String?

    /// The ignore files Azure ML reads, in order of preference.
    public static let fileNames = [".amlignore", ".gitignore"]

    public init(patterns: [IgnorePattern] = [], fileName: String? = nil) {
        self.patterns = patterns
        self.fileName = fileName
    }

    /// Reads the lines of an ignore file.
    public init(text: String, fileName: String? = nil) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        self.init(patterns: lines.compactMap { IgnorePattern(line: String($0)) }, fileName: fileName)
    }

    /// The rules of a source directory: its `.amlignore`, else its `.gitignore`, else none.
    ///
    /// - Throws: ``SourceArchiveError`` when the ignore file exists but cannot be read.
    public init(directory: String) throws {
        for name in Self.fileNames {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SourceArchiveError(message: "cannot read '\(path)'")
            }
            self.init(text: String(decoding: data, as: UTF8.self), fileName: name)
            return
        }
        self.init()
    }

    /// Whether a path is ignored.
    ///
    /// - Parameters:
    ///   - path: relative to the source directory, `/`-separated.
    ///   - isDirectory: whether it is a directory (`dir/` patterns match only those).
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        for pattern in self.patterns.reversed() where pattern.matches(path, isDirectory: isDirectory) {
            return !pattern.isNegated
        }
        return false
    }
}
