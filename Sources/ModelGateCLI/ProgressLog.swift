internal import Foundation

/// Where a command's running commentary goes (packing, deployment progress,
/// warnings), so that stdout holds only the result when it is JSON.
///
/// With text output, progress goes to stdout, where `az ml` prints it; with
/// `--output json` it goes to stderr. Warnings always go to stderr.
struct ProgressLog {
    var format: OutputFormat

    /// A progress line.
    func note(_ line: String) {
        switch self.format {
        // Written at once rather than through print's buffer, so a pipe sees each line as it happens.
        case .text: FileHandle.standardOutput.write(Data((line + "\n").utf8))
        case .json: Self.writeError(line)
        }
    }

    /// `warning: <line>` on stderr.
    func warning(_ line: String) {
        Self.writeError("warning: " + line)
    }

    /// `error: <line>` on stderr.
    func error(_ line: String) {
        Self.writeError("error: " + line)
    }

    private static func writeError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
