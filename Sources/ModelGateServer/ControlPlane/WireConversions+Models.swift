public import ModelGateAPI

// Conversions between the stored models, environments and compute targets
// and their modelgate.v1 messages.

extension Model {
    public init(_ record: ModelRecord) {
        self.init()
        self.workspace = record.workspace
        self.name = record.name
        self.version = Int32(clamping: record.version)
        self.description = record.description
        self.tags = record.tags
        self.properties = record.properties
        self.files = record.files.map(ModelFile.init)
        self.sizeBytes = record.sizeBytes
        self.modelFramework = record.modelFramework
        self.modelFrameworkVersion = record.modelFrameworkVersion
        self.createdAtUnixMs = record.createdAt.millisecondsSince1970
        self.createdBy = record.createdBy
    }
}

extension ModelFile {
    public init(_ record: ModelFileRecord) {
        self.init()
        self.path = record.path
        self.sizeBytes = record.sizeBytes
        self.sha256 = record.sha256
    }
}

extension Environment {
    public init(_ record: EnvironmentRecord) {
        self.init()
        self.workspace = record.workspace
        self.name = record.name
        self.version = Int32(clamping: record.version)
        self.pythonVersion = record.pythonVersion
        self.pipRequirements = record.pipRequirements
        self.condaYaml = record.condaYAML
        self.baseImage = record.baseImage
        self.buildSteps = record.buildSteps
        self.environmentVariables = record.environmentVariables
        self.contentHash = record.contentHash
        self.description = record.description
        self.tags = record.tags
        self.createdAtUnixMs = record.createdAt.millisecondsSince1970
        self.createdBy = record.createdBy
    }
}

extension ComputeTarget {
    /// The target with what its replicas use now.
    public init(_ record: ComputeRecord, usage: ComputeUsage = ComputeUsage()) {
        self.init()
        self.name = record.name
        self.workspace = record.workspace
        self.type = record.kind == .aks ? .aks : .aci
        self.region = record.region
        self.purpose = record.purpose == .fastProd ? .fastProd : .devTest
        self.cpuCores = record.cpuCores
        self.memoryGb = record.memoryGB
        self.gpus = UInt32(clamping: record.gpus)
        self.usedCpuCores = usage.cpuCores
        self.usedMemoryGb = usage.memoryGB
        self.usedGpus = UInt32(clamping: usage.gpus)
        self.replicaCount = UInt32(clamping: usage.replicas)
        self.description = record.description
        self.tags = record.tags
        self.createdAtUnixMs = record.createdAt.millisecondsSince1970
        self.createdBy = record.createdBy
    }
}
