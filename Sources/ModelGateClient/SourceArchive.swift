internal import Foundation

/// A scoring script's source directory packed as a gzip-compressed tar
/// archive, as a deployment's ``InferenceConfig/sourceArchive`` carries it.
///
/// Packing honours the directory's `.amlignore`, else its `.gitignore`
/// (``IgnoreRules``), as Azure ML does when it uploads a source directory, and
/// never includes a `.git` folder. The archive is written by the system's
/// `tar` from an explicit list of files, with owners and times normalised so
/// that the same files always give the same bytes (and the same hash on the
/// server).
///
/// ```swift
/// let archive = try SourceArchive.pack(directory: "examples/linear-regression")
/// var inference = InferenceConfig()
/// inference.entryScript = "score.py"
/// inference.sourceArchive = archive.bytes
/// ```
public struct SourceArchive: Sendable {
    /// The packed directory, as an absolute path.
    public var directory: String
    /// The files in the archive, relative to ``directory``, sorted.
    public var files: [String]
    /// The ignore file that applied (`.amlignore` or `.gitignore`), if any.
    public var ignoreFile: String?
    /// The archive (gzip-compressed tar).
    public var bytes: [UInt8]

    /// The most a deploy request's archive may hold by default: the
    /// protocol's 4 MiB message limit, less room for the rest of the request.
    public static let defaultMaxBytes = 4 * 1024 * 1024 - 64 * 1024

    /// Folders never packed, whatever the ignore file says.
    static let alwaysSkipped: Set<String> = [".git"]

    /// The time every entry gets, so the archive depends only on the files' contents and names.
    static let normalizedModificationTime = "@946684800"

    /// Packs a directory.
    ///
    /// - Parameters:
    ///   - directory: the source directory.
    ///   - only: pack just these paths (relative to `directory`) instead of
    ///     walking it, for an entry script deployed without a source directory.
    ///   - maxBytes: refuse an archive larger than this.
    /// - Throws: ``SourceArchiveError`` naming the directory when it is missing,
    ///   empty after ignoring, too large, or `tar` fails.
    public static func pack(directory: String, only: [String]? = nil, maxBytes: Int = Self.defaultMaxBytes) throws -> SourceArchive {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceArchiveError(message: "source directory '\(directory)' does not exist or is not a directory")
        }
        let rules = only == nil ? try IgnoreRules(directory: root) : IgnoreRules()
        let files = try only ?? Self.listFiles(in: root, rules: rules)
        guard !files.isEmpty else {
            throw SourceArchiveError(message: "source directory '\(directory)' has no files to pack (after \(rules.fileName ?? "ignoring nothing"))")
        }
        let bytes = try Self.runTar(in: root, files: files)
        guard bytes.count <= maxBytes else {
            throw SourceArchiveError(
                message: "source directory '\(directory)' packs to \(bytes.count) bytes, more than a deployment can carry (max: \(maxBytes)); list what the service does not need in \(rules.fileName ?? ".amlignore")"
            )
        }
        return SourceArchive(directory: root, files: files, ignoreFile: rules.fileName, bytes: bytes)
    }

    /// The files (and symbolic links) under `root` that `rules` keep, relative and sorted.
    ///
    /// A directory that the rules ignore is not read, so nothing inside it can
    /// be included again (as in git).
    public static func listFiles(in root: String, rules: IgnoreRules) throws -> [String] {
        var result: [String] = []
        try Self.walk(root: root, relative: "", rules: rules, into: &result)
        return result.sorted()
    }

    private static func walk(root: String, relative: String, rules: IgnoreRules, into result: inout [String]) throws {
        let folder = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw SourceArchiveError(message: "cannot read '\(folder)': \(error.localizedDescription)")
        }
        for name in names.sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            // attributesOfItem does not follow a symbolic link: a link is packed as a link.
            let type = (try? FileManager.default.attributesOfItem(atPath: root + "/" + path))?[.type] as? FileAttributeType
            let isDirectory = type == .typeDirectory
            if isDirectory && Self.alwaysSkipped.contains(name) { continue }
            if rules.isIgnored(path, isDirectory: isDirectory) { continue }
            if isDirectory {
                try Self.walk(root: root, relative: path, rules: rules, into: &result)
            } else if type == .typeRegular || type == .typeSymbolicLink {
                result.append(path)
            }
        }
    }

    /// Runs `tar` in `root` over exactly `files`, and returns the archive.
    private static func runTar(in root: String, files: [String]) throws -> [UInt8] {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("modelgate-pack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The list goes through a file, not stdin: tar writes the archive while it
        // reads names, and a pipe in both directions could deadlock.
        let list = scratch.appendingPathComponent("files")
        let errors = scratch.appendingPathComponent("stderr")
        try Data(files.map { $0 + "\0" }.joined().utf8).write(to: list)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "tar", "--create", "--file=-", "--use-compress-program=gzip -n", "--directory=\(root)",
            "--no-recursion", "--null", "--files-from=\(list.path)", "--owner=0", "--group=0", "--numeric-owner",
            "--mtime=\(Self.normalizedModificationTime)", "--format=gnu",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SourceArchiveError(message: "cannot run tar to pack '\(root)': \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw SourceArchiveError(
                message: "tar failed packing '\(root)' (exit \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return [UInt8](data)
    }
}
