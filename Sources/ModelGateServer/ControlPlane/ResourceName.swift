public import ModelGateAPI

/// The naming rules for what lives in a workspace, after Azure Machine Learning's.
///
/// Model and environment names become folder names (`<name>/<version>` under
/// `AZUREML_MODEL_DIR`), so they never contain `/` and never start with `.`.
public enum ResourceName {
    /// A model's or an environment's name: 1-255 ASCII letters, digits, `-`,
    /// `_` and `.`, starting with a letter or digit (Azure's rule for both).
    ///
    /// - Parameter kind: `model` or `environment`, for the message.
    /// - Throws: `INVALID_ARGUMENT` with the rule.
    public static func validateAsset(_ name: String, kind: String) throws(RPCError) {
        let rule = "\(kind) names are 1-255 characters of letters, digits, '-', '_' and '.', starting with a letter or digit"
        let bytes = Array(name.utf8)
        guard (1...255).contains(bytes.count) else {
            throw RPCError(code: .invalidArgument, message: name.isEmpty ? "\(kind) name is required" : "\(kind) name is too long: \(rule)")
        }
        guard Self.isAlphanumeric(bytes[0]), bytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }) else {
            throw RPCError(code: .invalidArgument, message: "invalid \(kind) name '\(ModelFilePath.printable(name))': \(rule)")
        }
    }

    /// A compute target's name: 2-16 ASCII letters, digits and `-`, starting
    /// with a letter (Azure's rule for compute targets).
    ///
    /// - Throws: `INVALID_ARGUMENT` with the rule.
    public static func validateCompute(_ name: String) throws(RPCError) {
        let rule = "compute target names are 2-16 characters of letters, digits and '-', starting with a letter"
        let bytes = Array(name.utf8)
        guard (2...16).contains(bytes.count),
              Self.isLetter(bytes[0]),
              bytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == 0x2D })
        else {
            let shown = name.isEmpty ? "name is required" : "invalid compute target name '\(ModelFilePath.printable(name))'"
            throw RPCError(code: .invalidArgument, message: "\(shown): \(rule)")
        }
    }

    /// A web service's name: 3-32 characters of lower-case letters, digits
    /// and `-`, starting with a letter and ending with a letter or digit
    /// (Azure's rule for services).
    ///
    /// - Throws: `INVALID_ARGUMENT` with the rule.
    public static func validateService(_ name: String) throws(RPCError) {
        let rule = "service names are 3-32 characters of lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
        let bytes = Array(name.utf8)
        let isLower = { (byte: UInt8) in byte >= 0x61 && byte <= 0x7A }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        guard (3...32).contains(bytes.count), isLower(bytes[0]), let last = bytes.last, isLower(last) || isDigit(last),
              bytes.allSatisfy({ isLower($0) || isDigit($0) || $0 == 0x2D })
        else {
            let shown = name.isEmpty ? "name is required" : "invalid service name '\(ModelFilePath.printable(name))'"
            throw RPCError(code: .invalidArgument, message: "\(shown): \(rule)")
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        Self.isLetter(byte) || (byte >= 0x30 && byte <= 0x39)
    }
}
