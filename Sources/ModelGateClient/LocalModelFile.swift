internal import Foundation
internal import NIOPosix
internal import ModelGateAPI

/// A file on this machine that becomes one file of a registered model.
///
/// Paths inside the model follow Azure's `Model.register(model_path=...)`: a
/// single file keeps its name (`model.pkl`), and a folder keeps its own name
/// as the first component (`outputs/model.pkl`), so a scoring script finds
/// them at `AZUREML_MODEL_DIR/model.pkl` or `AZUREML_MODEL_DIR/outputs/model.pkl`.
struct LocalModelFile: Sendable {
    /// Where the file is on this machine.
    var localPath: String
    /// Its path inside the model, `/`-separated.
    var modelPath: String
    var sizeBytes: UInt64

    /// The files to register for `path`, ordered by model path.
    ///
    /// Symbolic links to files are followed; other special files and empty
    /// folders are left out (a model is its files).
    ///
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` when `path` does not exist or holds no file.
    static func collect(at path: String) throws -> [LocalModelFile] {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let root = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw RPCError(code: .invalidArgument, message: "model path '\(path)' does not exist")
        }
        let name = url.lastPathComponent
        guard isDirectory.boolValue else {
            return [LocalModelFile(localPath: root, modelPath: name, sizeBytes: try Self.size(of: root))]
        }
        var files: [LocalModelFile] = []
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw RPCError(code: .invalidArgument, message: "cannot read folder '\(path)'")
        }
        while let relative = enumerator.nextObject() as? String {
            let local = root + "/" + relative
            var isFolder: ObjCBool = false
            // fileExists follows links: a link to a file counts as that file.
            guard FileManager.default.fileExists(atPath: local, isDirectory: &isFolder), !isFolder.boolValue,
                  let attributes = try? FileManager.default.attributesOfItem(atPath: (local as NSString).resolvingSymlinksInPath),
                  attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            files.append(LocalModelFile(localPath: local, modelPath: name + "/" + relative, sizeBytes: try Self.size(of: local)))
        }
        guard !files.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "folder '\(path)' holds no files to register")
        }
        return files.sorted { $0.modelPath < $1.modelPath }
    }

    private static func size(of path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath)
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Reads the file in pieces of at most `chunkSize` bytes, off the
    /// cooperative pool, handing each to `body` in order (an empty file gives
    /// one empty piece). Returns the SHA-256 of what was read.
    @discardableResult
    func read(chunkSize: Int, _ body: ([UInt8], _ offset: UInt64, _ isLast: Bool) async throws -> Void) async throws -> String {
        let pool = NIOThreadPool.singleton
        let path = self.localPath
        let handle = try await pool.runIfActive { () throws -> FileHandle in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw RPCError(code: .invalidArgument, message: "cannot read '\(path)'")
            }
            return handle
        }
        defer { try? handle.close() }
        var digest = SHA256Digest()
        var offset: UInt64 = 0
        var next = try await pool.runIfActive { Array(handle.readData(ofLength: chunkSize)) }
        repeat {
            let current = next
            next = current.count < chunkSize ? [] : try await pool.runIfActive { Array(handle.readData(ofLength: chunkSize)) }
            digest.update(current)
            try await body(current, offset, next.isEmpty)
            offset += UInt64(current.count)
        } while !next.isEmpty
        return digest.finalize()
    }
}
