import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("Model file paths")
struct ModelFilePathTests {
    @Test("Relative paths inside the model are accepted", arguments: [
        "model.pkl", "outputs/model.pkl", "a/b/c/d.bin", ".hidden", "dir.with.dots/x", "spaces are fine.txt", "ü/ñ.bin",
    ])
    func relativePathsAreAccepted(path: String) throws {
        #expect(try ModelFilePath(validating: path).value == path)
    }

    @Test("Paths that could leave the model's folder, or mean something else on disk, are INVALID_ARGUMENT", arguments: [
        "", "/etc/passwd", "../secret", "a/../../b", "a/..", "./a", "a/./b", "a//b", "a/", "a\\b", "..\\x", "a\u{0}b", "line\nbreak",
        String(repeating: "x", count: 256), String(repeating: "a/", count: 600) + "z",
    ])
    func escapingPathsAreRefused(path: String) {
        let error = #expect(throws: RPCError.self) { try ModelFilePath(validating: path) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("A path is an ancestor only of paths inside it")
    func ancestorMeansFolder() throws {
        let folder = try ModelFilePath(validating: "a")
        #expect(folder.isAncestor(of: try ModelFilePath(validating: "a/b")))
        #expect(!folder.isAncestor(of: try ModelFilePath(validating: "ab")))
        #expect(!folder.isAncestor(of: folder))
    }
}
