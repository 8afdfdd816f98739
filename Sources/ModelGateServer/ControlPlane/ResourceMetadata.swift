public import ModelGateAPI

/// Limits on the free-form metadata of models, environments and compute targets.
public enum ResourceMetadata {
    /// Longest description, in characters.
    public static let maxDescriptionLength = 4096
    /// Most tags (and, separately, properties) on one resource.
    public static let maxEntries = 100
    /// Longest key, and longest value, in characters.
    public static let maxKeyLength = 256
    public static let maxValueLength = 4096

    /// - Throws: `INVALID_ARGUMENT` naming the limit and the value.
    public static func validate(description: String, tags: [String: String], properties: [String: String] = [:]) throws(RPCError) {
        guard description.count <= Self.maxDescriptionLength else {
            throw RPCError(
                code: .invalidArgument,
                message: "description is too long (max: \(Self.maxDescriptionLength) characters, actual: \(description.count))"
            )
        }
        for (what, map) in [("tags", tags), ("properties", properties)] {
            guard map.count <= Self.maxEntries else {
                throw RPCError(code: .invalidArgument, message: "too many \(what) (max: \(Self.maxEntries), actual: \(map.count))")
            }
            for (key, value) in map where key.isEmpty || key.count > Self.maxKeyLength || value.count > Self.maxValueLength {
                throw RPCError(
                    code: .invalidArgument,
                    message: "\(what) keys must be 1-\(Self.maxKeyLength) characters and values at most \(Self.maxValueLength) (key '\(key.prefix(40))')"
                )
            }
        }
    }
}
