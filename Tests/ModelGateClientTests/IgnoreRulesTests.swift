import Foundation
import ModelGateClient
import Testing

/// `.amlignore` / `.gitignore` lines match as git matches them.
@Suite("Ignore files")
struct IgnoreRulesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rules: String
        var path: String
        var isDirectory = false
        var ignored: Bool
        var testDescription: String { "\(self.rules.replacingOccurrences(of: "\n", with: " | ")) on \(self.path)\(self.isDirectory ? "/" : "")" }
    }

    @Test("Patterns match as in git", arguments: [
        // A name without a slash matches at any depth.
        Case(rules: "*.pyc", path: "a.pyc", ignored: true),
        Case(rules: "*.pyc", path: "src/deep/a.pyc", ignored: true),
        Case(rules: "*.pyc", path: "a.py", ignored: false),
        Case(rules: "secret.txt", path: "config/secret.txt", ignored: true),
        // `*` and `?` never match a slash.
        Case(rules: "doc/*.txt", path: "doc/notes.txt", ignored: true),
        Case(rules: "doc/*.txt", path: "doc/server/notes.txt", ignored: false),
        Case(rules: "file?.txt", path: "file1.txt", ignored: true),
        Case(rules: "file?.txt", path: "file10.txt", ignored: false),
        // A leading slash, or one in the middle, anchors to the root.
        Case(rules: "/build", path: "build", isDirectory: true, ignored: true),
        Case(rules: "/build", path: "src/build", isDirectory: true, ignored: false),
        Case(rules: "data/raw", path: "data/raw", isDirectory: true, ignored: true),
        Case(rules: "data/raw", path: "x/data/raw", isDirectory: true, ignored: false),
        // A trailing slash matches directories only.
        Case(rules: "logs/", path: "logs", isDirectory: true, ignored: true),
        Case(rules: "logs/", path: "logs", isDirectory: false, ignored: false),
        Case(rules: "logs/", path: "a/logs", isDirectory: true, ignored: true),
        // `**`: leading, trailing, in the middle.
        Case(rules: "**/cache", path: "cache", isDirectory: true, ignored: true),
        Case(rules: "**/cache", path: "a/b/cache", isDirectory: true, ignored: true),
        Case(rules: "out/**", path: "out/a/b.bin", ignored: true),
        Case(rules: "out/**", path: "out", isDirectory: true, ignored: false),
        Case(rules: "a/**/z.txt", path: "a/z.txt", ignored: true),
        Case(rules: "a/**/z.txt", path: "a/b/c/z.txt", ignored: true),
        Case(rules: "a/**/z.txt", path: "b/a/z.txt", ignored: false),
        // Character classes.
        Case(rules: "run[0-9].log", path: "run7.log", ignored: true),
        Case(rules: "run[0-9].log", path: "runx.log", ignored: false),
        Case(rules: "run[!0-9].log", path: "runx.log", ignored: true),
        // Comments, blank lines, escapes, trailing spaces.
        Case(rules: "# *.py\n\n", path: "score.py", ignored: false),
        Case(rules: "\\#notes", path: "#notes", ignored: true),
        Case(rules: "\\!important", path: "!important", ignored: true),
        Case(rules: "*.tmp   ", path: "x.tmp", ignored: true),
        // The last matching pattern decides; `!` includes again.
        Case(rules: "*.log\n!keep.log", path: "keep.log", ignored: false),
        Case(rules: "*.log\n!keep.log", path: "drop.log", ignored: true),
        Case(rules: "!keep.log\n*.log", path: "keep.log", ignored: true),
        Case(rules: "*.log\r\n", path: "x.log", ignored: true),
    ])
    func patternsMatchAsInGit(_ testCase: Case) {
        let rules = IgnoreRules(text: testCase.rules)
        #expect(rules.isIgnored(testCase.path, isDirectory: testCase.isDirectory) == testCase.ignored)
    }

    @Test("Blank lines and comments are not patterns; flags are read from the line")
    func linesAreParsed() throws {
        #expect(IgnorePattern(line: "") == nil)
        #expect(IgnorePattern(line: "   ") == nil)
        #expect(IgnorePattern(line: "# comment") == nil)
        let pattern = try #require(IgnorePattern(line: "!/build/"))
        #expect(pattern.isNegated && pattern.isAnchored && pattern.isDirectoryOnly)
        #expect(pattern.glob == "build")
        let loose = try #require(IgnorePattern(line: "*.pyc"))
        #expect(!loose.isNegated && !loose.isAnchored && !loose.isDirectoryOnly)
    }
}
