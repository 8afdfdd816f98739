/// An Azure `inferenceconfig.json` or `deploymentconfig.json` that cannot be
/// used: unreadable, not JSON, or a key with the wrong type or value. The
/// message starts with the file and names the key, such as
/// `deploymentconfig.json: containerResourceRequirements.cpu must be a number, got "half"`.
public struct ConfigFileError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { self.message }

    public init(message: String) {
        self.message = message
    }
}
