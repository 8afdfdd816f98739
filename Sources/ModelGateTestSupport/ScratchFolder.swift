public import Foundation

/// A temporary folder for a test's files, removed when the last reference goes.
///
/// ```swift
/// let folder = try ScratchFolder(prefix: "modelgate-source")
/// try folder.write("src/score.py", "def init(): pass")
/// ```
public final class ScratchFolder: Sendable {
    public let path: String

    public init(prefix: String = "modelgate-test") throws {
        self.path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: self.path) }

    /// Writes `text` to `relative` inside the folder, creating folders on the way.
    public func write(_ relative: String, _ text: String = "x") throws {
        let full = self.path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }
}
