import Foundation
import ModelGateTLS
import ModelGateTestSupport
import Testing

@Suite("TLS contexts and development certificates")
struct TLSContextTests {
    @Test("Unusable files are refused with the file named and OpenSSL's reason")
    func badFilesAreNamed() throws {
        let pki = try TwoAuthorities()
        let missing = pki.folder.path + "/missing.pem"
        let cases: [(TLSServerConfiguration, String)] = [
            (TLSServerConfiguration(certificateChainFile: missing, privateKeyFile: pki.first + "/key.pem"),
             "cannot read the server certificate file '\(missing)': No such file"),
            (TLSServerConfiguration(certificateChainFile: pki.first + "/key.pem", privateKeyFile: pki.first + "/key.pem"),
             "is not a PEM certificate chain"),
            (TLSServerConfiguration(certificateChainFile: pki.first + "/cert.pem", privateKeyFile: pki.second + "/key.pem"),
             "does not match the certificate"),
            (TLSServerConfiguration(certificateChainFile: pki.first + "/cert.pem", privateKeyFile: pki.first + "/key.pem", clientCAFile: missing),
             "cannot read the client CA file"),
        ]
        for (configuration, expected) in cases {
            let error = #expect(throws: TLSError.self) { try TLSContext.server(configuration) }
            #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        }
        let clientError = #expect(throws: TLSError.self) {
            try TLSContext.client(TLSClientConfiguration(caFile: pki.first + "/ca.pem", certificateChainFile: pki.first + "/client.pem"))
        }
        #expect(clientError?.message.contains("both its certificate file and its key file") == true)
    }

    @Test("Development certificates: keys 0600, a CA that signs both leaves, no silent overwrite")
    func developmentCertificates() throws {
        let pki = try TwoAuthorities()
        for key in ["ca-key.pem", "key.pem", "client-key.pem"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: pki.first + "/" + key)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(key)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: pki.first)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let error = #expect(throws: TLSError.self) { try DevelopmentCertificates.write(to: pki.first) }
        #expect(error?.message.contains("--force") == true)
        let before = try TLSContext.server(TLSServerConfiguration(
            certificateChainFile: pki.first + "/cert.pem", privateKeyFile: pki.first + "/key.pem")).certificateFingerprint
        try DevelopmentCertificates.write(to: pki.first, overwrite: true)
        let after = try TLSContext.server(TLSServerConfiguration(
            certificateChainFile: pki.first + "/cert.pem", privateKeyFile: pki.first + "/key.pem")).certificateFingerprint
        #expect(before != after)
        #expect(throws: TLSError.self) { try DevelopmentCertificates.write(to: pki.second, hosts: ["a,b"], overwrite: true) }
    }
}
