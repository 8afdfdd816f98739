internal import Glibc

/// A replica process's resident memory, read from `/proc/<pid>/statm` (Linux).
enum ReplicaMemory {
    private static let pageSize = UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))

    /// Resident bytes of process `pid`; nil when it is gone or `/proc` cannot be read.
    ///
    /// A read of a few bytes from procfs, which never blocks on a disk.
    static func residentBytes(of pid: Int32) -> UInt64? {
        let descriptor = open("/proc/\(pid)/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "size resident shared text lib data dt", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = UInt64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Self.pageSize
    }

    static func mebibytes(_ bytes: UInt64) -> String {
        "\(bytes / 1_048_576) MiB"
    }
}
