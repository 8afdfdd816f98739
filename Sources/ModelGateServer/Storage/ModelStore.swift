internal import Foundation
internal import ModelGateAPI
internal import NIOPosix
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Registered model versions: their metadata in the database, their files in
/// the ``BlobStore``, and on demand a directory laid out for `AZUREML_MODEL_DIR`.
///
/// Blobs are shared by every model version (in any workspace) with the same
/// content. A version's registration and deletion both touch blobs on the
/// database's one thread, inside or right after their transaction, so a blob
/// is removed only when no stored version uses it, and never between another
/// registration's check and its commit.
public struct ModelStore: Sendable {
    private let database: Database
    /// Where model files live.
    public let blobs: BlobStore
    /// `<dataDir>/models`: one directory per materialised set of models.
    public let materializedRoot: String

    /// - Parameters:
    ///   - materializedRoot: created (0700) if missing; leftovers of
    ///     materialisations a crash interrupted are removed.
    public init(database: Database, blobs: BlobStore, materializedRoot: String) throws {
        self.database = database
        self.blobs = blobs
        self.materializedRoot = materializedRoot
        try BlobStore.makeDirectory(materializedRoot)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: materializedRoot)) ?? []
        for name in entries where name.hasPrefix(Self.temporaryPrefix) {
            try? FileManager.default.removeItem(atPath: materializedRoot + "/" + name)
        }
    }

    private static let temporaryPrefix = ".tmp-"

    // MARK: Registration

    /// Stores a new version of `model.name` (its `version` is ignored and
    /// assigned here) and moves its staged files into the blob store.
    ///
    /// The staged files are consumed whether this succeeds or fails.
    ///
    /// - Parameters:
    ///   - model: the metadata and files; every file's `sha256` has a matching entry in `staged`.
    ///   - staged: the uploaded files, hashed.
    /// - Returns: The stored version.
    /// - Throws: ``StoreError/notFound(kind:name:)`` for a workspace deleted meanwhile.
    public func register(_ model: ModelRecord, staged: [StagedBlob]) async throws -> ModelRecord {
        let blobs = self.blobs
        do {
            let stored = try await self.database.write { db -> ModelRecord in
                guard let workspace = try db.queryFirst(
                    "SELECT name FROM workspaces WHERE name = ?", [.text(model.workspace)], { $0.text(0) }
                ) else {
                    throw StoreError.notFound(kind: "workspace", name: model.workspace)
                }
                let version = try db.queryFirst(
                    """
                    INSERT INTO model_names (workspace, name, last_version) VALUES (?, ?, 1)
                    ON CONFLICT (workspace, name) DO UPDATE SET last_version = last_version + 1
                    RETURNING last_version
                    """,
                    [.text(workspace), .text(model.name)]
                ) { $0.int(0) } ?? 1
                for blob in staged {
                    try blobs.promote(blob)
                }
                var stored = model
                stored.workspace = workspace
                stored.version = version
                stored.files.sort { $0.path < $1.path }
                try db.run(
                    """
                    INSERT INTO models (workspace, name, version, description, tags_json, properties_json,
                        model_framework, model_framework_version, size_bytes, created_by, created_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(workspace), .text(stored.name), .int(version), .text(stored.description),
                        .text(JSONColumn.encode(stored.tags)), .text(JSONColumn.encode(stored.properties)),
                        .text(stored.modelFramework), .text(stored.modelFrameworkVersion),
                        .integer(Int64(clamping: stored.sizeBytes)), .text(stored.createdBy),
                        .integer(stored.createdAt.millisecondsSince1970),
                    ]
                )
                for file in stored.files {
                    try db.run(
                        "INSERT INTO model_files (workspace, name, version, path, size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            .text(workspace), .text(stored.name), .int(version), .text(file.path),
                            .integer(Int64(clamping: file.sizeBytes)), .text(file.sha256),
                        ]
                    )
                }
                return stored
            }
            for blob in staged { await blobs.discard(blob) }
            return stored
        } catch {
            // Blobs promoted before the transaction failed are referenced by nothing.
            for blob in staged { await blobs.discard(blob) }
            try? await self.collectGarbage(Set(staged.map(\.sha256)))
            throw error
        }
    }

    // MARK: Reading

    /// One version, or the latest when `version` is `nil`; `nil` when there is none.
    public func model(workspace: String, name: String, version: Int? = nil) async throws -> ModelRecord? {
        try await self.database.read { db in
            try db.transaction(.deferred) {
                let rows = try db.query(
                    """
                    SELECT \(Self.columns) FROM models WHERE workspace = ?1 AND name = ?2
                        AND (?3 IS NULL OR version = ?3)
                    ORDER BY version DESC LIMIT 1
                    """,
                    [.text(workspace), .text(name), version.map { .int($0) } ?? .null],
                    Self.record
                )
                return try Self.attachFiles(to: rows, db: db).first
            }
        }
    }

    /// The versions in `workspace`, ordered by name, then version.
    ///
    /// - Parameters:
    ///   - name: only this model's versions, when given.
    ///   - tags: only versions carrying every one of these tags (key and value).
    ///   - latestOnly: only the newest matching version of each name.
    public func list(
        workspace: String, name: String? = nil, tags: [String: String] = [:], latestOnly: Bool = false
    ) async throws -> [ModelRecord] {
        let records = try await self.database.read { db in
            try db.transaction(.deferred) {
                let rows = try db.query(
                    """
                    SELECT \(Self.columns) FROM models WHERE workspace = ?1 AND (?2 IS NULL OR name = ?2)
                    ORDER BY name, version
                    """,
                    [.text(workspace), .optionalText(name)],
                    Self.record
                )
                return try Self.attachFiles(to: rows, db: db)
            }
        }
        let tagged = records.filter { record in tags.allSatisfy { record.tags[$0.key] == $0.value } }
        guard latestOnly else { return tagged }
        var latest: [String: ModelRecord] = [:]
        for record in tagged where (latest[record.name]?.version ?? 0) < record.version {
            latest[record.name] = record
        }
        return latest.values.sorted { $0.name < $1.name }
    }

    /// Looks up the models a deployment names, as Azure writes them: `name:version`,
    /// or `name` alone for the latest version. Duplicates are kept once.
    ///
    /// - Throws: `INVALID_ARGUMENT` for a malformed id or more than
    ///   ``ModelLimits/maxModelsPerDeployment`` models; `NOT_FOUND` naming the first missing one.
    public func resolve(_ ids: [String], workspace: String) async throws -> [ModelRecord] {
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        try Self.checkDeploymentCount(unique.count)
        var records: [ModelRecord] = []
        for id in unique {
            let parts = id.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let version: Int?
            if parts.count == 2 {
                guard let number = Int(parts[1]), number >= 1 else {
                    throw RPCError(code: .invalidArgument, message: "model '\(id)' is not NAME or NAME:VERSION with a positive version")
                }
                version = number
            } else {
                version = nil
            }
            guard !parts[0].isEmpty else {
                throw RPCError(code: .invalidArgument, message: "model '\(id)' has no name")
            }
            guard let record = try await self.model(workspace: workspace, name: parts[0], version: version) else {
                throw StoreError.notFound(kind: "model", name: id)
            }
            if !records.contains(where: { $0.name == record.name && $0.version == record.version }) {
                records.append(record)
            }
        }
        return records
    }

    // MARK: Deleting

    /// Deletes one version and removes the blobs no other version uses.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` (`model`, `name:version`) when there is none.
    public func delete(workspace: String, name: String, version: Int) async throws {
        let blobs = self.blobs
        try await self.database.read { db in
            let orphaned = try db.transaction(.immediate) { () throws -> [String] in
                let hashes = try db.query(
                    "SELECT DISTINCT sha256 FROM model_files WHERE workspace = ? AND name = ? AND version = ?",
                    [.text(workspace), .text(name), .int(version)]
                ) { $0.text(0) }
                let deleted = try db.run(
                    "DELETE FROM models WHERE workspace = ? AND name = ? AND version = ?",
                    [.text(workspace), .text(name), .int(version)]
                )
                guard deleted == 1 else { throw StoreError.notFound(kind: "model", name: "\(name):\(version)") }
                return try hashes.filter { try !Self.isReferenced($0, db: db) }
            }
            // After the commit, still on the database thread: nothing can add a
            // reference to these blobs in between.
            for hash in orphaned { blobs.remove(hash) }
        }
    }

    /// Removes those of `hashes` that no stored model version uses.
    func collectGarbage(_ hashes: Set<String>) async throws {
        guard !hashes.isEmpty else { return }
        let blobs = self.blobs
        try await self.database.read { db in
            for hash in hashes where try !Self.isReferenced(hash, db: db) {
                blobs.remove(hash)
            }
        }
    }

    // MARK: Materialising

    /// Lays out `models`' files for a replica's `AZUREML_MODEL_DIR`, as Azure does.
    ///
    /// The files of each version go to `<set>/<name>/<version>/<path>`. With one
    /// model the answer is that version's folder, so a script opens
    /// `os.path.join(AZUREML_MODEL_DIR, "model.pkl")`; with several it is the
    /// set's folder, and a script opens `<name>/<version>/...` in it. A set is
    /// keyed by the models' content, built once in a temporary folder and
    /// renamed into place, and shared by every deployment of the same set.
    /// Files are hard links to the read-only blobs (copies where the file
    /// system refuses links), so a set costs almost no space.
    ///
    /// - Parameter models: the versions to lay out, from one workspace; at most
    ///   ``ModelLimits/maxModelsPerDeployment``. Duplicates are laid out once.
    /// - Returns: The directory to pass as `AZUREML_MODEL_DIR`.
    /// - Throws: `INVALID_ARGUMENT` for too many models; `DATA_LOSS` when a
    ///   file's blob is missing from the blob store.
    public func materialize(models: [ModelRecord]) async throws -> String {
        var seen = Set<String>()
        let unique = models.filter { seen.insert($0.id).inserted }.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
        try Self.checkDeploymentCount(unique.count)
        let root = "\(self.materializedRoot)/\(Self.setKey(unique))"
        let answer = unique.count == 1 ? "\(root)/\(unique[0].name)/\(unique[0].version)" : root
        let blobs = self.blobs
        let temporaryRoot = "\(self.materializedRoot)/\(Self.temporaryPrefix)\(UUID().uuidString.lowercased())"
        try await blobs.threadPool.runIfActive {
            var status = stat()
            if stat(root, &status) == 0 { return }
            do {
                try BlobStore.makeDirectory(temporaryRoot)
                for model in unique {
                    let versionDirectory = "\(temporaryRoot)/\(model.name)/\(model.version)"
                    try Self.makeDirectories(versionDirectory)
                    for file in model.files {
                        try Self.place(file, of: model, at: "\(versionDirectory)/\(file.path)", blobs: blobs)
                    }
                }
                if rename(temporaryRoot, root) != 0 {
                    let code = errno
                    try? FileManager.default.removeItem(atPath: temporaryRoot)
                    // Another deployment of the same set got there first; theirs is identical.
                    guard code == EEXIST || code == ENOTEMPTY else {
                        throw BlobStore.error(code, "move into place", root)
                    }
                    return
                }
                BlobStore.syncDirectory(self.materializedRoot)
            } catch {
                try? FileManager.default.removeItem(atPath: temporaryRoot)
                throw error
            }
        }
        return answer
    }

    /// Removes the materialised folder of `models`, for when no replica uses
    /// that set any more. The blobs stay.
    public func removeMaterialization(of models: [ModelRecord]) async {
        var seen = Set<String>()
        let unique = models.filter { seen.insert($0.id).inserted }
        let root = "\(self.materializedRoot)/\(Self.setKey(unique))"
        try? await self.blobs.threadPool.runIfActive {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// - Throws: `INVALID_ARGUMENT` above ``ModelLimits/maxModelsPerDeployment``.
    static func checkDeploymentCount(_ count: Int) throws(RPCError) {
        let limit = ModelLimits.maxModelsPerDeployment
        guard count <= limit else {
            throw RPCError(
                code: .invalidArgument,
                message: "a deployment may use at most \(limit) models (got \(count))",
                details: ["limit": "\(limit)", "actual": "\(count)"]
            )
        }
    }

    /// A name for a set of models, from their identity and content: a
    /// re-created workspace that reuses `iris:1` for other files gets another set.
    private static func setKey(_ models: [ModelRecord]) -> String {
        var text = ""
        for model in models.sorted(by: { ($0.name, $0.version) < ($1.name, $1.version) }) {
            text += "\(model.workspace.lowercased())\u{0}\(model.name)\u{0}\(model.version)\n"
            for file in model.files.sorted(by: { $0.path < $1.path }) {
                text += "\(file.path)\u{0}\(file.sha256)\n"
            }
        }
        let digest = StreamingSHA256()
        digest.update(Array(text.utf8))
        return digest.finalize()
    }

    /// Hard-links (or copies) one file's blob to `destination`.
    private static func place(_ file: ModelFileRecord, of model: ModelRecord, at destination: String, blobs: BlobStore) throws {
        guard StreamingSHA256.isValidHex(file.sha256), let path = try? ModelFilePath(validating: file.path) else {
            throw RPCError(code: .dataLoss, message: "model '\(model.id)' has a damaged file entry '\(ModelFilePath.printable(file.path))'")
        }
        let source = blobs.path(for: file.sha256)
        guard blobs.contains(file.sha256) else {
            throw RPCError(
                code: .dataLoss,
                message: "model '\(model.id)' file '\(path)': its stored content (blob \(file.sha256)) is missing from the server's data directory"
            )
        }
        if path.components.count > 1 {
            try Self.makeDirectories((destination as NSString).deletingLastPathComponent)
        }
        if link(source, destination) == 0 { return }
        // Another file system, or links refused: copy instead.
        do {
            try FileManager.default.copyItem(atPath: source, toPath: destination)
            chmod(destination, 0o444)
        } catch {
            throw FileSystemError(operation: "copy", path: destination, errno: EIO, reason: "\(error)")
        }
    }

    private static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw FileSystemError(operation: "create directory", path: path, errno: EIO, reason: "\(error)")
        }
    }

    // MARK: Rows

    private static let columns = """
        workspace, name, version, description, tags_json, properties_json, model_framework,
        model_framework_version, created_by, created_at_ms
        """

    private static func record(_ row: Row) -> ModelRecord {
        ModelRecord(
            workspace: row.text(0), name: row.text(1), version: row.int(2), description: row.text(3),
            tags: JSONColumn.map(row.text(4)), properties: JSONColumn.map(row.text(5)),
            modelFramework: row.text(6), modelFrameworkVersion: row.text(7), files: [],
            createdBy: row.text(8), createdAt: Date(millisecondsSince1970: row.int64(9))
        )
    }

    /// Fills in each record's files, ordered by path.
    private static func attachFiles(to records: [ModelRecord], db: Connection) throws -> [ModelRecord] {
        var result = records
        for index in result.indices {
            result[index].files = try db.query(
                "SELECT path, size_bytes, sha256 FROM model_files WHERE workspace = ? AND name = ? AND version = ? ORDER BY path",
                [.text(result[index].workspace), .text(result[index].name), .int(result[index].version)]
            ) { row in
                ModelFileRecord(path: row.text(0), sizeBytes: UInt64(max(0, row.int64(1))), sha256: row.text(2))
            }
        }
        return result
    }

    private static func isReferenced(_ hash: String, db: Connection) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM model_files WHERE sha256 = ? LIMIT 1", [.text(hash)]) { _ in true } ?? false
    }
}
