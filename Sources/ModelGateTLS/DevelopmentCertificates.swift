internal import CModelGateOpenSSL
internal import Foundation

/// A development PKI for `modelgate tls self-signed`: a CA, a server
/// certificate and a client certificate it signed, all EC P-256 with SHA-256.
///
/// Clients verify the server against `ca.pem` (so nothing needs
/// `--insecure`), and `modelgate serve --tls-client-ca ca.pem` accepts the
/// client certificate. The server certificate names `localhost`, `127.0.0.1`
/// and `::1` plus the given hosts in its subjectAltName. Keys are written mode
/// 0600, certificates 0644. Made with OpenSSL's C API, not the `openssl` tool.
public enum DevelopmentCertificates {
    /// The files written, by role.
    public static let caCertificateFile = "ca.pem"
    public static let caKeyFile = "ca-key.pem"
    public static let serverCertificateFile = "cert.pem"
    public static let serverKeyFile = "key.pem"
    public static let clientCertificateFile = "client.pem"
    public static let clientKeyFile = "client-key.pem"

    static let allFiles = [caCertificateFile, caKeyFile, serverCertificateFile, serverKeyFile, clientCertificateFile, clientKeyFile]

    /// Writes the CA, server and client certificates and keys into `directory` (created 0700 if missing).
    ///
    /// - Parameters:
    ///   - hosts: DNS names or IP addresses the server certificate names besides the loopback ones.
    ///   - days: how long the certificates are valid.
    ///   - overwrite: replace files already there; otherwise their presence is an error.
    /// - Returns: the paths written.
    /// - Throws: ``TLSError`` when a file exists (without `overwrite`), cannot be written, or OpenSSL fails.
    @discardableResult
    public static func write(to directory: String, hosts: [String] = [], days: Int = 365, overwrite: Bool = false) throws(TLSError) -> [String] {
        guard (1...3650).contains(days) else { throw TLSError("certificates are valid 1 to 3650 days, not \(days)") }
        for host in hosts where host.isEmpty || host.contains(",") || host.contains(" ") {
            throw TLSError("'\(host)' is not a host name or IP address")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw TLSError("cannot create the directory '\(directory)': \(error.localizedDescription)")
        }
        let paths = Self.allFiles.map { directory + "/" + $0 }
        if !overwrite, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw TLSError("'\(existing)' exists; pass --force to replace the certificates in '\(directory)'")
        }

        let caKey = try Self.generateKey()
        defer { EVP_PKEY_free(caKey) }
        let ca = try Self.makeCertificate(
            commonName: "ModelGate development CA", key: caKey, issuer: nil, issuerKey: caKey, days: days,
            extensions: [
                (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                (NID_key_usage, "critical,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ])
        defer { X509_free(ca) }

        var names = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]
        for host in hosts {
            let entry = HostName.isIPAddress(host) ? "IP:\(host)" : "DNS:\(host)"
            if !names.contains(entry) { names.append(entry) }
        }
        let serverKey = try Self.generateKey()
        defer { EVP_PKEY_free(serverKey) }
        let server = try Self.makeCertificate(
            commonName: hosts.first ?? "localhost", key: serverKey, issuer: ca, issuerKey: caKey, days: days,
            extensions: Self.leafExtensions(usage: "serverAuth") + [(NID_subject_alt_name, names.joined(separator: ","))])
        defer { X509_free(server) }

        let clientKey = try Self.generateKey()
        defer { EVP_PKEY_free(clientKey) }
        let client = try Self.makeCertificate(
            commonName: "modelgate-client", key: clientKey, issuer: ca, issuerKey: caKey, days: days,
            extensions: Self.leafExtensions(usage: "clientAuth"))
        defer { X509_free(client) }

        let contents: [(String, [UInt8], mode_t)] = [
            (paths[0], try Self.pem(certificate: ca), 0o644),
            (paths[1], try Self.pem(key: caKey), 0o600),
            (paths[2], try Self.pem(certificate: server), 0o644),
            (paths[3], try Self.pem(key: serverKey), 0o600),
            (paths[4], try Self.pem(certificate: client), 0o644),
            (paths[5], try Self.pem(key: clientKey), 0o600),
        ]
        for (path, bytes, mode) in contents { try Self.writeFile(path, bytes, mode: mode) }
        return paths
    }

    private static func leafExtensions(usage: String) -> [(Int32, String)] {
        [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, usage),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid"),
        ]
    }

    private static func generateKey() throws(TLSError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw TLSError.openSSL("cannot create a key context") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_generate(context, &key) == 1, let key
        else { throw TLSError.openSSL("cannot generate a P-256 key") }
        return key
    }

    /// A v3 certificate for `key`, signed by `issuerKey` (self-signed when `issuer` is nil).
    private static func makeCertificate(
        commonName: String, key: OpaquePointer, issuer: OpaquePointer?, issuerKey: OpaquePointer, days: Int,
        extensions: [(Int32, String)]
    ) throws(TLSError) -> OpaquePointer {
        guard let certificate = X509_new() else { throw TLSError.openSSL("cannot create a certificate") }
        do throws(TLSError) {
            // A random positive 127-bit serial, so each generated certificate is told apart.
            var serial = [UInt8](repeating: 0, count: 16)
            guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw TLSError.openSSL("cannot make a serial number") }
            serial[0] &= 0x7F
            let number = BN_bin2bn(serial, Int32(serial.count), nil)
            defer { BN_free(number) }
            guard X509_set_version(certificate, 2) == 1, number != nil,
                BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil,
                // An hour back, for clocks a little behind.
                X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
                X509_gmtime_adj(X509_getm_notAfter(certificate), days * 86_400) != nil,
                X509_set_pubkey(certificate, key) == 1
            else { throw TLSError.openSSL("cannot fill in the certificate") }
            let subject = X509_get_subject_name(certificate)
            guard X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, "ModelGate development", -1, -1, 0) == 1,
                X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
                X509_set_issuer_name(certificate, issuer.map { X509_get_subject_name($0) } ?? subject) == 1
            else { throw TLSError.openSSL("cannot name the certificate '\(commonName)'") }
            var v3 = X509V3_CTX()
            X509V3_set_ctx(&v3, issuer ?? certificate, certificate, nil, nil, 0)
            for (nid, value) in extensions {
                guard let extensionValue = X509V3_EXT_conf_nid(nil, &v3, nid, value) else {
                    throw TLSError.openSSL("cannot make the certificate extension '\(value)'")
                }
                defer { X509_EXTENSION_free(extensionValue) }
                guard X509_add_ext(certificate, extensionValue, -1) == 1 else {
                    throw TLSError.openSSL("cannot add the certificate extension '\(value)'")
                }
            }
            guard X509_sign(certificate, issuerKey, EVP_sha256()) > 0 else { throw TLSError.openSSL("cannot sign the certificate") }
        } catch {
            X509_free(certificate)
            throw error
        }
        return certificate
    }

    private static func pem(certificate: OpaquePointer) throws(TLSError) -> [UInt8] {
        try Self.pem { bio in PEM_write_bio_X509(bio, certificate) }
    }

    private static func pem(key: OpaquePointer) throws(TLSError) -> [UInt8] {
        try Self.pem { bio in PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws(TLSError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSError.openSSL("cannot create a buffer") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw TLSError.openSSL("cannot write PEM") }
        let count = mg_bio_pending(bio)
        var bytes = [UInt8](repeating: 0, count: count)
        guard BIO_read(bio, &bytes, Int32(count)) == Int32(count) else { throw TLSError.openSSL("cannot read PEM") }
        return bytes
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(TLSError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw TLSError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // An existing file keeps its mode through O_TRUNC; a key must not stay readable by others.
        guard fchmod(descriptor, mode) == 0 else { throw TLSError("cannot set the mode of '\(path)': \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TLSError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
    }
}
