#if canImport(Glibc)
import Glibc
#endif

/// Resident memory of a process, from `/proc/<pid>/status` (Linux only).
enum ProcessMemory {
    /// `VmRSS` of `pid` ("self" for this process), in bytes.
    static func residentBytes(pid: String = "self") throws(BenchError) -> Int {
        guard let file = fopen("/proc/\(pid)/status", "r") else {
            throw BenchError("cannot read /proc/\(pid)/status (the memory figure needs Linux)")
        }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("VmRSS:") else { continue }
            let digits = text.dropFirst("VmRSS:".count).filter(\.isNumber)
            guard let kibibytes = Int(digits) else { break }
            return kibibytes * 1024
        }
        throw BenchError("no VmRSS in /proc/\(pid)/status")
    }
}
