import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Testing

@Suite("Blob store")
struct BlobStoreTests {
    /// Streams `chunks` through a writer and returns the staged file.
    static func stage(_ chunks: [[UInt8]], in store: BlobStore) async throws -> StagedBlob {
        let writer = try await store.makeWriter()
        for chunk in chunks { try await writer.write(chunk) }
        return try await writer.finish()
    }

    @Test("A file written in chunks is hashed as a whole and stored under blobs/sha256/ab/<hash>")
    func chunkedWriteIsHashedAndStored() async throws {
        let directory = try TemporaryDirectory()
        let store = try BlobStore(root: directory.path + "/blobs", threadPool: .singleton)
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

        let staged = try await Self.stage([Array(content[..<100_000]), Array(content[100_000...])], in: store)
        #expect(staged.sha256 == StreamingSHA256.hex(SHA256.hash(content)))
        #expect(staged.sizeBytes == 300_000)
        #expect(try store.promote(staged))

        let path = store.path(for: staged.sha256)
        #expect(path == "\(directory.path)/blobs/sha256/\(staged.sha256.prefix(2))/\(staged.sha256)")
        #expect(FileManager.default.contents(atPath: path) == Data(content))
        #expect(!FileManager.default.fileExists(atPath: staged.temporaryPath))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
        #expect(mode == 0o444, "blobs are read-only, got \(String(mode, radix: 8))")
    }

    @Test("The same content is stored once")
    func identicalContentIsStoredOnce() async throws {
        let directory = try TemporaryDirectory()
        let store = try BlobStore(root: directory.path + "/blobs", threadPool: .singleton)
        let first = try await Self.stage([Array("weights".utf8)], in: store)
        let second = try await Self.stage([Array("weig".utf8), Array("hts".utf8)], in: store)

        #expect(try store.promote(first))
        #expect(try store.promote(second) == false)
        await store.discard(second)

        #expect(first.sha256 == second.sha256)
        let prefix = directory.path + "/blobs/sha256/" + first.sha256.prefix(2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: prefix) == [first.sha256])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/blobs/tmp").isEmpty)
    }

    @Test("An empty file is a blob too")
    func emptyFileIsABlob() async throws {
        let directory = try TemporaryDirectory()
        let store = try BlobStore(root: directory.path + "/blobs", threadPool: .singleton)
        let staged = try await Self.stage([], in: store)
        #expect(staged.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        try store.promote(staged)
        #expect(store.contains(staged.sha256))
    }

    @Test("Leftovers of interrupted uploads are removed when the store opens")
    func temporaryLeftoversAreRemovedAtStart() async throws {
        let directory = try TemporaryDirectory()
        let store = try BlobStore(root: directory.path + "/blobs", threadPool: .singleton)
        let writer = try await store.makeWriter()
        try await writer.write([1, 2, 3])
        #expect(FileManager.default.fileExists(atPath: writer.path))

        _ = try BlobStore(root: directory.path + "/blobs", threadPool: .singleton)
        #expect(!FileManager.default.fileExists(atPath: writer.path))
        await writer.abandon()
    }

    @Test("CRC-32C matches the standard check value")
    func crc32cCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }
}
