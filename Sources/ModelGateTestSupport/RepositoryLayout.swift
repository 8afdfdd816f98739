public import Foundation

/// Where the repository's files are, for tests that read `proto/` or `tools/`.
///
/// Found from this file's own path at compile time, so it works from any working
/// directory `swift test` is started in, as long as the sources are where they were built.
public enum RepositoryLayout {
    /// The repository root: the directory holding `Package.swift`.
    public static let root: URL = URL(filePath: #filePath)
        .deletingLastPathComponent()  // ModelGateTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `proto/`, the schema's include root.
    public static var protoRoot: URL { root.appending(path: "proto") }

    /// `tools/conformance/`, the cross-language vectors and their checker.
    public static var conformance: URL { root.appending(path: "tools/conformance") }
}
