internal import ModelGateAPI

/// Receives the files of one `RegisterModel` call: chunk by chunk into the
/// blob store's temporary folder, checked as they come.
///
/// The rules, each refused with a status naming the file:
/// - chunks of a file come in order (`offset` equals the bytes received so
///   far) and files one after another, each ending with a `last` chunk;
/// - paths pass ``ModelFilePath`` and no path is a folder of another;
/// - a chunk whose `crc32c` is set must match it (`DATA_LOSS`);
/// - when the registration declared its files, only those are sent, each with
///   its declared size and SHA-256 (`DATA_LOSS` on a mismatch);
/// - the model stays within ``ModelLimits`` (`RESOURCE_EXHAUSTED`).
///
/// Not `Sendable`: one call's handler owns it and awaits each step.
final class ModelUpload {
    private let blobs: BlobStore
    private let limits: ModelLimits
    /// The registration's declared files by path, or `nil` when it declared none.
    private let declared: [ModelFilePath: ModelFile]?
    /// The file being received.
    private var current: (path: ModelFilePath, writer: BlobWriter)?
    /// Finished files, in arrival order.
    private var finished: [(path: ModelFilePath, blob: StagedBlob)] = []
    private var finishedPaths: Set<ModelFilePath> = []
    private var totalBytes: UInt64 = 0

    /// - Throws: `INVALID_ARGUMENT` for a bad declared path, duplicate or hash;
    ///   `RESOURCE_EXHAUSTED` when the declared files exceed the limits.
    init(declaredFiles: [ModelFile], blobs: BlobStore, limits: ModelLimits) throws(RPCError) {
        self.blobs = blobs
        self.limits = limits
        guard !declaredFiles.isEmpty else {
            self.declared = nil
            return
        }
        try Self.checkFileCount(declaredFiles.count, limits: limits)
        var declared: [ModelFilePath: ModelFile] = [:]
        var total: UInt64 = 0
        for var file in declaredFiles {
            let path = try ModelFilePath(validating: file.path, maxBytes: limits.maxPathBytes)
            guard declared[path] == nil else {
                throw RPCError(code: .invalidArgument, message: "file '\(path)' is declared twice")
            }
            file.sha256 = file.sha256.lowercased()
            guard file.sha256.isEmpty || StreamingSHA256.isValidHex(file.sha256) else {
                throw RPCError(code: .invalidArgument, message: "declared sha256 of '\(path)' is not 64 hex digits")
            }
            declared[path] = file
            total = total.addingReportingOverflow(file.sizeBytes).overflow ? .max : total + file.sizeBytes
        }
        try Self.checkSize(total, limits: limits, what: "the declared files add up to")
        let paths = declared.keys.sorted()
        for (first, second) in zip(paths, paths.dropFirst()) where first.isAncestor(of: second) {
            throw Self.folderConflict(first, second)
        }
        self.declared = declared
    }

    /// Takes one chunk.
    func receive(_ chunk: ModelFileChunk) async throws {
        let path = try ModelFilePath(validating: chunk.path, maxBytes: self.limits.maxPathBytes)
        let writer: BlobWriter
        if let current = self.current {
            guard current.path == path else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "a chunk of '\(path)' arrived before file '\(current.path)' ended: send each file's chunks in order, the last one with last set"
                )
            }
            writer = current.writer
        } else {
            writer = try await self.start(path)
        }
        guard chunk.offset == writer.sizeBytes else {
            throw RPCError(
                code: .invalidArgument,
                message: "chunk of '\(path)' has offset \(chunk.offset), but \(writer.sizeBytes) bytes of it were received"
            )
        }
        if chunk.crc32c != 0, CRC32C.checksum(chunk.data) != chunk.crc32c {
            throw RPCError(code: .dataLoss, message: "chunk of '\(path)' at offset \(chunk.offset) does not match its CRC-32C")
        }
        let count = UInt64(chunk.data.count)
        try Self.checkSize(self.totalBytes + count, limits: self.limits, what: "the files received add up to at least")
        if let expected = self.declared?[path], writer.sizeBytes + count > expected.sizeBytes {
            throw RPCError(code: .dataLoss, message: "file '\(path)' is longer than its declared \(expected.sizeBytes) bytes")
        }
        try await writer.write(chunk.data)
        self.totalBytes += count
        if chunk.last {
            try await self.end(path, writer: writer)
        }
    }

    /// Ends the upload after the last request message.
    ///
    /// - Returns: The files, ordered by path, and the staged blobs holding them.
    func finish() throws -> (files: [ModelFileRecord], staged: [StagedBlob]) {
        if let current = self.current {
            throw RPCError(code: .invalidArgument, message: "the call ended in the middle of file '\(current.path)': its last chunk never came")
        }
        guard !self.finished.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "a model needs at least one file; none was sent")
        }
        if let declared = self.declared {
            let missing = declared.keys.filter { !self.finishedPaths.contains($0) }.sorted()
            if let first = missing.first {
                throw RPCError(
                    code: .invalidArgument,
                    message: "declared file '\(first)' was never sent\(missing.count > 1 ? " (and \(missing.count - 1) more)" : "")"
                )
            }
        }
        let files = self.finished
            .map { ModelFileRecord(path: $0.path.value, sizeBytes: $0.blob.sizeBytes, sha256: $0.blob.sha256) }
            .sorted { $0.path < $1.path }
        return (files, self.finished.map(\.blob))
    }

    /// Removes every temporary file of a failed upload.
    func abandon() async {
        if let current = self.current {
            await current.writer.abandon()
            self.current = nil
        }
        for file in self.finished {
            await self.blobs.discard(file.blob)
        }
        self.finished = []
    }

    // MARK: Steps

    private func start(_ path: ModelFilePath) async throws -> BlobWriter {
        guard !self.finishedPaths.contains(path) else {
            throw RPCError(code: .invalidArgument, message: "file '\(path)' was sent twice")
        }
        if let declared = self.declared, declared[path] == nil {
            throw RPCError(code: .invalidArgument, message: "file '\(path)' was not among the registration's declared files")
        }
        try Self.checkFileCount(self.finished.count + 1, limits: self.limits)
        if let other = self.finishedPaths.first(where: { $0.isAncestor(of: path) || path.isAncestor(of: $0) }) {
            throw Self.folderConflict(min(other, path), max(other, path))
        }
        let writer = try await self.blobs.makeWriter()
        self.current = (path, writer)
        return writer
    }

    private func end(_ path: ModelFilePath, writer: BlobWriter) async throws {
        self.current = nil
        let blob: StagedBlob
        do {
            blob = try await writer.finish()
        } catch {
            await writer.abandon()
            throw error
        }
        if let expected = self.declared?[path] {
            var problem: String?
            if blob.sizeBytes != expected.sizeBytes {
                problem = "file '\(path)' has \(blob.sizeBytes) bytes, but \(expected.sizeBytes) were declared"
            } else if !expected.sha256.isEmpty, blob.sha256 != expected.sha256 {
                problem = "file '\(path)' has SHA-256 \(blob.sha256), but \(expected.sha256) was declared"
            }
            if let problem {
                await self.blobs.discard(blob)
                throw RPCError(code: .dataLoss, message: problem)
            }
        }
        self.finished.append((path, blob))
        self.finishedPaths.insert(path)
    }

    // MARK: Limits

    private static func checkFileCount(_ count: Int, limits: ModelLimits) throws(RPCError) {
        guard count <= limits.maxFilesPerModel else {
            throw RPCError(
                code: .resourceExhausted,
                message: "a model may have at most \(limits.maxFilesPerModel) files (this one has \(count) or more)",
                details: ["limit": "\(limits.maxFilesPerModel)", "actual": "\(count)"]
            )
        }
    }

    private static func checkSize(_ bytes: UInt64, limits: ModelLimits, what: String) throws(RPCError) {
        guard bytes <= limits.maxModelBytes else {
            throw RPCError(
                code: .resourceExhausted,
                message: "model is too large: \(what) \(bytes) bytes, and the server's limit is \(limits.maxModelBytes) bytes",
                details: ["limit": "\(limits.maxModelBytes)", "actual": "\(bytes)"]
            )
        }
    }

    private static func folderConflict(_ folder: ModelFilePath, _ file: ModelFilePath) -> RPCError {
        RPCError(code: .invalidArgument, message: "'\(folder)' cannot be both a file and the folder of '\(file)'")
    }
}
