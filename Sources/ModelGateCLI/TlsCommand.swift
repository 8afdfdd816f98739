internal import ArgumentParser
internal import ModelGateTLS

/// `modelgate tls`: certificates for serving TLS.
struct TlsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Make certificates for `modelgate serve --tls-cert/--tls-key`.",
        subcommands: [SelfSigned.self]
    )

    /// `modelgate tls self-signed --out DIR`: a development CA with a server and a client certificate.
    struct SelfSigned: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Write a development CA, a server certificate and a client certificate (EC P-256).",
            discussion: """
                Writes ca.pem and ca-key.pem (the CA), cert.pem and key.pem (the server: \
                localhost, 127.0.0.1, ::1 and each --host), client.pem and client-key.pem (a client \
                certificate for --tls-client-ca). Keys are mode 0600. Serve with \
                `modelgate serve --tls-cert DIR/cert.pem --tls-key DIR/key.pem`; clients verify \
                the server with `--tls-ca DIR/ca.pem`. For development only: anyone holding \
                ca-key.pem can mint certificates your clients trust.
                """
        )

        @Option(name: .long, help: "The directory to write into (created 0700).")
        var out: String

        @Option(name: .long, help: "Another DNS name or IP address for the server certificate (repeatable).")
        var host: [String] = []

        @Option(name: .long, help: "Days the certificates are valid.")
        var days: Int = 365

        @Flag(name: .long, help: "Replace certificates already in the directory.")
        var force = false

        func validate() throws {
            guard (1...3650).contains(self.days) else { throw ValidationError("--days must be 1 to 3650") }
        }

        func run() throws {
            let paths = try DevelopmentCertificates.write(to: self.out, hosts: self.host, days: self.days, overwrite: self.force)
            for path in paths { print(path) }
        }
    }
}
