/// What the replicas placed on a compute target ask for now, as the deployment code reports it.
public struct ComputeUsage: Sendable, Hashable {
    public var cpuCores: Double
    public var memoryGB: Double
    public var gpus: Int
    public var replicas: Int

    public init(cpuCores: Double = 0, memoryGB: Double = 0, gpus: Int = 0, replicas: Int = 0) {
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.gpus = gpus
        self.replicas = replicas
    }
}
