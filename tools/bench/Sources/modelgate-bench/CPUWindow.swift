/// The CPU time the server and its replicas use during a load run's measured
/// window (the warm-up left out), so it can be divided by the requests
/// answered in that window.
struct CPUWindow: Sendable {
    var serverSeconds: Double
    var replicaSeconds: Double

    /// Waits out `warmup`, reads the CPU times, waits `measure`, reads them again.
    static func measure(serverPID: Int32, warmup: Duration, measure: Duration) async throws -> CPUWindow {
        try await Task.sleep(for: warmup)
        let replicas = ProcessCPU.children(of: serverPID)
        let serverBefore = ProcessCPU.seconds(pid: serverPID) ?? 0
        let replicasBefore = replicas.map { ProcessCPU.seconds(pid: $0) ?? 0 }
        try await Task.sleep(for: measure)
        let serverAfter = ProcessCPU.seconds(pid: serverPID) ?? serverBefore
        // A replica that died meanwhile counts as having used nothing more.
        let replicasAfter = zip(replicas, replicasBefore).map { pid, before in ProcessCPU.seconds(pid: pid) ?? before }
        return CPUWindow(
            serverSeconds: serverAfter - serverBefore,
            replicaSeconds: zip(replicasAfter, replicasBefore).reduce(0) { $0 + $1.0 - $1.1 })
    }
}
