import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import Testing

/// RegisterModel's stream rules, over a real socket with hand-made messages.
@Suite("RegisterModel over the wire")
struct ModelUploadTests {
    /// A file to send: its path, content, and how to cut and label its chunks.
    struct Upload {
        var path: String
        var content: [UInt8]
        var chunkSize = 4
        /// Declared in the registration with this size and hash (`nil`: not declared).
        var declared: (size: UInt64, sha256: String)?
        var withCRC = false
    }

    static func registration(_ name: String = "iris", files: [Upload] = []) -> RegisterModelRequest {
        var registration = ModelRegistration()
        registration.workspace = "ws1"
        registration.name = name
        registration.tags = ["stage": "test"]
        registration.files = files.compactMap { file in
            file.declared.map { declared in
                var entry = ModelFile()
                entry.path = file.path
                entry.sizeBytes = declared.size
                entry.sha256 = declared.sha256
                return entry
            }
        }
        var message = RegisterModelRequest()
        message.registration = registration
        return message
    }

    static func chunks(_ file: Upload) -> [RegisterModelRequest] {
        var messages: [RegisterModelRequest] = []
        var offset = 0
        repeat {
            let end = min(offset + file.chunkSize, file.content.count)
            var chunk = ModelFileChunk()
            chunk.path = file.path
            chunk.offset = UInt64(offset)
            chunk.data = Array(file.content[offset..<end])
            chunk.last = end == file.content.count
            if file.withCRC { chunk.crc32c = CRC32C.checksum(chunk.data) }
            var message = RegisterModelRequest()
            message.chunk = chunk
            messages.append(message)
            offset = end
        } while offset < file.content.count
        return messages
    }

    static func hash(_ content: [UInt8]) -> String { StreamingSHA256.hex(SHA256.hash(content)) }

    /// Runs a server with workspace `ws1` and calls `body` with a function that sends messages.
    static func withServer(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (_ send: @escaping @Sendable ([RegisterModelRequest]) async throws -> Model, _ dataDirectory: String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path
        try await RunningServer.with(dataDirectory: path, configure: configure) { server in
            let auth = try await server.signIn()
            _ = try await server.createWorkspace("ws1", metadata: auth)
            let client = server.client
            try await body({ messages in
                try await client.clientStreaming(ModelGateMethods.Model.registerModel, requests: messages, metadata: auth, as: Model.self)
            }, path)
        }
    }

    static func code(_ body: () async throws -> Void) async -> StatusCode? {
        await statusCode(of: body)?.0
    }

    @Test("Declared files are checked: sizes and SHA-256 must match (DATA_LOSS otherwise)")
    func declaredFilesAreVerified() async throws {
        try await Self.withServer { send, directory in
            let content = Array("model weights, more than one chunk".utf8)
            var good = Upload(path: "m.pkl", content: content, chunkSize: 5, withCRC: true)
            good.declared = (UInt64(content.count), Self.hash(content))
            let model = try await send([Self.registration(files: [good])] + Self.chunks(good))
            #expect(model.version == 1)
            #expect(model.files.map(\.sha256) == [Self.hash(content)])
            #expect(model.sizeBytes == UInt64(content.count))
            #expect(model.tags == ["stage": "test"])

            var wrongHash = good
            wrongHash.declared = (UInt64(content.count), Self.hash(Array("other".utf8)))
            #expect(await Self.code { _ = try await send([Self.registration(files: [wrongHash])] + Self.chunks(wrongHash)) } == .dataLoss)

            var shorter = good
            shorter.declared = (UInt64(content.count - 1), "")
            #expect(await Self.code { _ = try await send([Self.registration(files: [shorter])] + Self.chunks(shorter)) } == .dataLoss)

            var longer = good
            longer.declared = (UInt64(content.count + 1), "")
            #expect(await Self.code { _ = try await send([Self.registration(files: [longer])] + Self.chunks(longer)) } == .dataLoss)

            let undeclared = Upload(path: "extra.bin", content: [1])
            #expect(await Self.code {
                _ = try await send([Self.registration(files: [good])] + Self.chunks(good) + Self.chunks(undeclared))
            } == .invalidArgument)
            #expect(await Self.code { _ = try await send([Self.registration(files: [good])]) } == .invalidArgument)

            // Nothing failed left a file behind, and only the good version exists.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/tmp").isEmpty)
            let sent = try await send([Self.registration(files: [good])] + Self.chunks(good))
            #expect(sent.version == 2)
        }
    }

    @Test("A path that could leave the model's folder is INVALID_ARGUMENT", arguments: ["../escape", "/etc/passwd", "a/../../b", "a//b", "a\\b"])
    func escapingPathsAreRejected(path: String) async throws {
        try await Self.withServer { send, _ in
            let file = Upload(path: path, content: [1, 2, 3])
            let (code, message) = try #require(await statusCode { _ = try await send([Self.registration()] + Self.chunks(file)) })
            #expect(code == .invalidArgument)
            #expect(message.contains("path"))
            var declared = file
            declared.declared = (3, "")
            #expect(await Self.code { _ = try await send([Self.registration(files: [declared])] + Self.chunks(declared)) } == .invalidArgument)
        }
    }

    @Test("Chunks must come in order, file after file, each file ended, with matching CRC-32C")
    func chunkRulesAreEnforced() async throws {
        try await Self.withServer { send, directory in
            let a = Upload(path: "a.bin", content: Array(0..<10))
            let b = Upload(path: "b.bin", content: Array(10..<20))
            let aChunks = Self.chunks(a)
            let bChunks = Self.chunks(b)

            // Offsets must equal the bytes received.
            var skipped = aChunks
            skipped.remove(at: 1)
            #expect(await Self.code { _ = try await send([Self.registration()] + skipped) } == .invalidArgument)
            // Files one after another.
            #expect(await Self.code { _ = try await send([Self.registration(), aChunks[0], bChunks[0]] + aChunks.dropFirst() + bChunks.dropFirst()) } == .invalidArgument)
            // A file must end with a last chunk.
            #expect(await Self.code { _ = try await send([Self.registration()] + aChunks.dropLast()) } == .invalidArgument)
            // A file is sent once.
            #expect(await Self.code { _ = try await send([Self.registration()] + aChunks + aChunks) } == .invalidArgument)
            // A path cannot be a file and a folder.
            let folder = Upload(path: "a.bin/inner", content: [1])
            #expect(await Self.code { _ = try await send([Self.registration()] + aChunks + Self.chunks(folder)) } == .invalidArgument)
            // A wrong CRC-32C is DATA_LOSS.
            var corrupted = Self.chunks(Upload(path: "c.bin", content: Array(0..<10), withCRC: true))
            corrupted[1].chunk?.crc32c ^= 1
            #expect(await Self.code { _ = try await send([Self.registration()] + corrupted) } == .dataLoss)
            // The first message carries the registration, later ones chunks.
            #expect(await Self.code { _ = try await send(aChunks) } == .invalidArgument)
            #expect(await Self.code { _ = try await send([Self.registration(), Self.registration()]) } == .invalidArgument)
            // A model has files.
            #expect(await Self.code { _ = try await send([Self.registration()]) } == .invalidArgument)
            // Unknown workspace, bad name.
            var elsewhere = Self.registration()
            elsewhere.registration?.workspace = "nowhere"
            #expect(await Self.code { _ = try await send([elsewhere] + aChunks) } == .notFound)
            #expect(await Self.code { _ = try await send([Self.registration("bad/name")] + aChunks) } == .invalidArgument)

            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/tmp").isEmpty)

            // An empty file is one chunk with last set; files may be folders' contents.
            let empty = Upload(path: "folder/empty.txt", content: [])
            let model = try await send([Self.registration()] + aChunks + bChunks + Self.chunks(empty))
            #expect(model.files.map(\.path) == ["a.bin", "b.bin", "folder/empty.txt"])
            #expect(model.files.map(\.sizeBytes) == [10, 10, 0])
        }
    }

    @Test("A model over the size or file-count limit is RESOURCE_EXHAUSTED naming the limit")
    func limitsAreResourceExhausted() async throws {
        try await Self.withServer(configure: {
            $0.modelLimits = ModelLimits(maxModelBytes: 100, maxFilesPerModel: 2)
        }) { send, directory in
            let big = Upload(path: "big.bin", content: [UInt8](repeating: 7, count: 150), chunkSize: 40)
            let (code, message) = try #require(await statusCode { _ = try await send([Self.registration()] + Self.chunks(big)) })
            #expect(code == .resourceExhausted)
            #expect(message.contains("100 bytes"))

            var declaredBig = big
            declaredBig.declared = (150, "")
            #expect(await Self.code { _ = try await send([Self.registration(files: [declaredBig])]) } == .resourceExhausted)

            let three = (1...3).map { Upload(path: "f\($0)", content: [UInt8($0)]) }
            #expect(await Self.code { _ = try await send([Self.registration()] + three.flatMap(Self.chunks)) } == .resourceExhausted)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/tmp").isEmpty)

            let fits = try await send([Self.registration()] + three.prefix(2).flatMap(Self.chunks))
            #expect(fits.files.count == 2)
        }
    }
}
