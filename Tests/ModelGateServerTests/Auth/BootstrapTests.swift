import Foundation
@testable import ModelGateServer
import NIOPosix
import Testing

@Suite("Bootstrap, credentials file and data directory")
struct BootstrapTests {
    static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test("The credentials file is written with mode 0600, replaced atomically, and round-trips")
    func credentialsFileIsPrivate() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/credentials.json"
        let credentials = CredentialsFile(clientID: "id", clientSecret: "secret/with+chars", server: "")

        try credentials.write(to: path)
        #expect(try Self.mode(of: path) == 0o600)
        var updated = credentials
        updated.server = "127.0.0.1:7070"
        try updated.write(to: path)

        #expect(try Self.mode(of: path) == 0o600)
        #expect(try CredentialsFile.read(from: path) == updated)
        let json = try String(contentsOfFile: path, encoding: .utf8)
        #expect(json.contains("\"client_id\""))
        #expect(json.contains("\"client_secret\" : \"secret/with+chars\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["credentials.json"])
    }

    @Test("The first start creates one admin principal whose secret is in the credentials file; later starts keep it")
    func firstStartCreatesAdmin() async throws {
        try await withMigratedDatabase { database, directory in
            let principals = PrincipalStore(database: database)
            let hasher = SecretHasher(iterations: 1_000, threadPool: .singleton)
            let path = directory + "/credentials.json"

            // When
            let created = try await AdminBootstrap.ensureAdmin(
                principals: principals, hasher: hasher, clock: .system, credentialsPath: path, logger: quietLogger
            )
            let createdAgain = try await AdminBootstrap.ensureAdmin(
                principals: principals, hasher: hasher, clock: .system, credentialsPath: path, logger: quietLogger
            )

            // Then
            #expect(created && !createdAgain)
            let credentials = try CredentialsFile.read(from: path)
            let (admin, stored) = try #require(try await principals.credentials(clientID: credentials.clientID))
            #expect(admin.isAdmin)
            #expect(admin.displayName == "admin")
            #expect(try await hasher.verify(credentials.clientSecret, against: stored))
            #expect(try await principals.count() == 1)
            #expect(try Self.mode(of: path) == 0o600)
        }
    }

    @Test("The server address is recorded in the credentials file")
    func serverAddressIsRecorded() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/credentials.json"
        try CredentialsFile(clientID: "id", clientSecret: "s", server: "").write(to: path)

        await AdminBootstrap.recordServerAddress("127.0.0.1:4242", credentialsPath: path, logger: quietLogger)

        #expect(try CredentialsFile.read(from: path).server == "127.0.0.1:4242")
        #expect(try Self.mode(of: path) == 0o600)
    }

    @Test("The data directory and blobs/ are created with mode 0700, parents included")
    func dataDirectoryIsPrivate() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/nested/data"

        let data = try DataDirectory.prepare(path, logger: quietLogger)

        #expect(try Self.mode(of: path) == 0o700)
        #expect(try Self.mode(of: data.blobsPath) == 0o700)
        #expect(data.databasePath == path + "/modelgate.sqlite")
        _ = try DataDirectory.prepare(path, logger: quietLogger)
    }

    @Test("A data directory path that is a file is refused")
    func dataDirectoryThatIsAFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/file"
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: FileSystemError.self) { try DataDirectory.prepare(path, logger: quietLogger) }
    }

    @Test("Wildcard listen addresses are written as loopback for clients", arguments: [
        ("0.0.0.0", "127.0.0.1:80"), ("::", "[::1]:80"), ("127.0.0.1", "127.0.0.1:80"), ("::1", "[::1]:80"), ("example.org", "example.org:80"),
    ])
    func clientAddressForListenHost(host: String, expected: String) {
        #expect(ModelGateServerApp.clientAddress(host: host, port: 80) == expected)
    }
}
