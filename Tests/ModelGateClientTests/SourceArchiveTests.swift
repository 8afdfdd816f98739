import Foundation
import ModelGateTestSupport
import ModelGateClient
import Testing

/// Packing a source directory: what goes in, what stays out, checked by listing the archive with `tar -tzf`.
@Suite("Source archives")
struct SourceArchiveTests {
    /// The member names of a gzip tar archive, as `tar -tzf` lists them.
    static func list(_ bytes: [UInt8]) throws -> [String] {
        let file = NSTemporaryDirectory() + "modelgate-archive-\(UUID().uuidString).tar.gz"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-tzf", file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    @Test(".amlignore decides over .gitignore, and the archive holds exactly the kept files")
    func amlignoreWinsOverGitignore() throws {
        // Given a folder with both ignore files
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py")
        try folder.write("utils/helpers.py")
        try folder.write("utils/__pycache__/helpers.cpython-311.pyc")
        try folder.write("data/big.csv")
        try folder.write("notes.md")
        try folder.write(".git/HEAD")
        try folder.write(".gitignore", "score.py\n")
        try folder.write(".amlignore", "__pycache__/\n/data\n*.md\n")

        // When it is packed
        let archive = try SourceArchive.pack(directory: folder.path)

        // Then .amlignore's rules applied (not .gitignore's), .git never goes in, and tar agrees
        #expect(archive.ignoreFile == ".amlignore")
        #expect(archive.files == [".amlignore", ".gitignore", "score.py", "utils/helpers.py"])
        #expect(try Self.list(archive.bytes) == archive.files)
    }

    @Test(".gitignore applies when there is no .amlignore, with negation and directory rules")
    func gitignoreApplies() throws {
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py")
        try folder.write("logs/run.log")
        try folder.write("debug.log")
        try folder.write("keep.log")
        try folder.write("src/model/config.json")
        try folder.write(".gitignore", "# build output\nlogs/\n*.log\n!keep.log\nsrc/**/*.json\n")

        let archive = try SourceArchive.pack(directory: folder.path)

        #expect(archive.ignoreFile == ".gitignore")
        #expect(try Self.list(archive.bytes) == [".gitignore", "keep.log", "score.py"])
    }

    @Test("A file inside an ignored folder cannot be included again")
    func ignoredFolderIsNotRead() throws {
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py")
        try folder.write("build/keep.txt")
        try folder.write(".amlignore", "build/\n!build/keep.txt\n")

        let archive = try SourceArchive.pack(directory: folder.path)

        #expect(try Self.list(archive.bytes) == [".amlignore", "score.py"])
    }

    @Test("Without an ignore file everything but .git is packed")
    func noIgnoreFilePacksEverything() throws {
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py")
        try folder.write("a/b/c.txt")
        try folder.write(".git/config")

        let archive = try SourceArchive.pack(directory: folder.path)

        #expect(archive.ignoreFile == nil)
        #expect(try Self.list(archive.bytes) == ["a/b/c.txt", "score.py"])
    }

    @Test("The same files give the same bytes, whatever their times")
    func packingIsDeterministic() throws {
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py", "def run(x): return x\n")
        let first = try SourceArchive.pack(directory: folder.path)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: folder.path + "/score.py")
        let second = try SourceArchive.pack(directory: folder.path)
        #expect(first.bytes == second.bytes)
        #expect(first.bytes.starts(with: [0x1f, 0x8b]))
    }

    @Test("Packing only named files leaves the rest of the folder out")
    func packingOnlyNamedFiles() throws {
        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write("score.py")
        try folder.write("other.py")
        let archive = try SourceArchive.pack(directory: folder.path, only: ["score.py"])
        #expect(try Self.list(archive.bytes) == ["score.py"])
    }

    @Test("A missing folder, an empty result and an oversized archive are refused with the folder's name")
    func failuresNameTheFolder() throws {
        let missing = NSTemporaryDirectory() + "modelgate-missing-\(UUID().uuidString)"
        let notThere = #expect(throws: SourceArchiveError.self) { try SourceArchive.pack(directory: missing) }
        #expect(notThere?.message.contains(missing) == true)

        let folder = try ScratchFolder(prefix: "modelgate-source")
        try folder.write(".amlignore", "*\n")
        let empty = #expect(throws: SourceArchiveError.self) { try SourceArchive.pack(directory: folder.path) }
        #expect(empty?.message.contains("no files") == true)

        let large = try ScratchFolder(prefix: "modelgate-source")
        try large.write("blob.bin", (0..<20_000).map { String($0 &* 7919) }.joined())
        let tooLarge = #expect(throws: SourceArchiveError.self) { try SourceArchive.pack(directory: large.path, maxBytes: 1000) }
        #expect(tooLarge?.message.contains("max: 1000") == true)
        #expect(tooLarge?.message.contains(".amlignore") == true)
    }
}
