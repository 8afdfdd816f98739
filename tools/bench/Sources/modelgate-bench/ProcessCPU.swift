import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time of processes, from `/proc/<pid>/stat` (Linux only): what the
/// server and its replicas spend per request, which on a 2-core machine is
/// what bounds requests/s once the load keeps them busy.
enum ProcessCPU {
    /// User plus system CPU seconds `pid` has used, or nil if it is gone.
    static func seconds(pid: Int32) -> Double? {
        guard let fields = self.statFields(pid: pid), fields.count > 12,
            let user = Double(fields[11]), let system = Double(fields[12])
        else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The processes whose parent is `pid` (ModelGate's replicas are its direct children).
    static func children(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { candidate in
            guard let fields = self.statFields(pid: candidate), fields.count > 1 else { return false }
            return Int32(fields[1]) == pid
        }
    }

    /// The fields of `/proc/<pid>/stat` after the command name, starting with
    /// the state (field 3 of proc(5)); the name may hold spaces and parentheses.
    private static func statFields(pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
