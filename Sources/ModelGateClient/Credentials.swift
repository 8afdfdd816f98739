internal import Foundation

/// A principal's client id and secret, as `modelgate serve` writes them to
/// `<data-dir>/credentials.json` on first start (mode 0600).
public struct Credentials: Sendable, Hashable, Codable {
    public var clientID: String
    public var clientSecret: String
    /// The address the server was listening on when it last wrote the file.
    public var server: String?

    public init(clientID: String, clientSecret: String, server: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.server = server
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case server
    }

    /// The credentials file's name inside a data directory.
    public static let fileName = "credentials.json"

    /// Reads a credentials file.
    ///
    /// - Throws: ``CredentialsError`` saying which file and what is wrong with it.
    public static func load(path: String) throws -> Credentials {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CredentialsError(message: "cannot read credentials file '\(path)': \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(Credentials.self, from: data)
        } catch {
            throw CredentialsError(message: "credentials file '\(path)' is not valid: expected JSON with client_id and client_secret")
        }
    }
}

/// A credentials file that is missing or malformed.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { self.message }
}
