/// A Python interpreter found on this machine.
struct PythonInstallation: Sendable, Hashable {
    /// Its real executable (`sys.executable`), not a shim or a symlink name.
    var executable: String
    /// `major.minor.micro`.
    var version: String
    /// `sys.prefix`.
    var prefix: String

    /// True when this interpreter satisfies `requested` (`3`, `3.11` or `3.11.4`):
    /// every component given must match.
    func satisfies(_ requested: String) -> Bool {
        let want = requested.split(separator: ".")
        let have = self.version.split(separator: ".")
        return want.count <= have.count && zip(want, have).allSatisfy { $0 == $1 }
    }
}
