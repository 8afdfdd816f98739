public import Foundation
public import ModelGateAPI

/// Azure ML's `deploymentconfig.json` (the `-dc` file of `az ml model deploy`),
/// read into a ``DeploymentConfig``.
///
/// The keys are the ones Azure's CLI reads (its `deploy_config_dict_to_obj`),
/// mapped to the parameters of `AksWebservice.deploy_configuration` and
/// `AciWebservice.deploy_configuration`:
///
/// | key | field |
/// | --- | --- |
/// | `computeType` (`aks` or `aci`) | `compute_type` |
/// | `computeTargetName` | `compute_target_name` |
/// | `containerResourceRequirements.cpu`, `.memoryInGB`, `.cpuLimit`, `.memoryInGBLimit`, `.gpu` | `cpu_cores`, `memory_gb`, `cpu_cores_limit`, `memory_gb_limit`, `gpu_cores` |
/// | `gpuCores` | `gpu_cores` |
/// | `autoScaler.autoscaleEnabled`, `.minReplicas`, `.maxReplicas`, `.refreshPeriodInSeconds`, `.targetUtilization` | `autoscale_*` |
/// | `numReplicas` | `num_replicas` |
/// | `authEnabled`, `tokenAuthEnabled` | `auth_enabled`, `token_auth_enabled` |
/// | `scoringTimeoutMs`, `maxConcurrentRequestsPerContainer`, `maxQueueWaitMs` | `scoring_timeout_ms`, `replica_max_concurrent_requests`, `max_request_wait_time_ms` |
/// | `livenessProbeRequirements.periodSeconds`, `.initialDelaySeconds`, `.timeoutSeconds`, `.successThreshold`, `.failureThreshold` | `liveness_*` |
/// | `dataCollection.storageEnabled` | `collect_model_data` |
/// | `appInsightsEnabled` | `enable_app_insights` |
/// | `keys.primaryKey`, `keys.secondaryKey` (or top-level `primaryKey`, `secondaryKey`) | `primary_key`, `secondary_key` |
/// | `tags`, `properties`, `description` | the same |
/// | `namespace`, `blobfuseEnabled` (AKS) | the same |
/// | `location`, `dnsNameLabel`, `sslEnabled`, `sslCertificate`, `sslKey`, `cname`, `vaultBaseUrl`, `keyName`, `keyVersion`, `vnetName`, `subnetName` (ACI) | `location`, `dns_name_label`, `ssl_*`, `cmk_*`, `vnet_name`, `subnet_name` |
///
/// As with Azure, a key that does not apply to the file's `computeType` (an
/// `autoScaler` for `aci`) is ignored, here with a warning; a key nobody knows
/// is ignored with a warning too. A key with the wrong type is an error that
/// names the file and the key. A key set to `null`, or missing, leaves its
/// field at zero, which the server reads as Azure's default. `sslCertificate`
/// and `sslKey` are files, relative to the config file's folder.
public struct AzureDeploymentConfigFile: Sendable {
    /// The file, as given.
    public var path: String
    /// The settings the file gives; fields it does not mention are zero.
    public var config: DeploymentConfig
    /// The `DeploymentConfig` field names the file set, in the order above, for an update mask.
    public var fieldNames: [String]
    /// Keys that were ignored, one line each, to show on stderr.
    public var warnings: [String]

    /// Reads a file.
    ///
    /// - Throws: ``ConfigFileError`` naming the file (and the key) when it
    ///   cannot be read, is not JSON, or holds a value of the wrong type.
    public static func read(path: String) throws -> AzureDeploymentConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(message: "\(path): cannot read the deployment config file")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try AzureDeploymentConfigFile(data: data, path: path, baseDirectory: folder)
    }

    /// Reads a document.
    ///
    /// - Parameters:
    ///   - path: the file's name for messages.
    ///   - baseDirectory: where relative file names in it (`sslCertificate`, `sslKey`) start.
    public init(data: Data, path: String, baseDirectory: String) throws {
        let top = try ConfigObjectReader.document(JSONValue.parse(data, file: path), file: path)
        var builder = Builder(file: path)
        var readers = [top]

        if let type = try top.string("computeType") {
            switch type.lowercased() {
            case "aks": builder.computeType = .aks
            case "aci": builder.computeType = .aci
            default:
                throw ConfigFileError(
                    message: "\(path): computeType must be \"aks\" or \"aci\", got \"\(type)\" (ModelGate deploys web services to AKS or ACI targets)")
            }
            builder.set(builder.computeType, key: "computeType", field: "compute_type") { $0.computeType = $1 }
        }
        builder.set(try top.string("computeTargetName"), key: "computeTargetName", field: "compute_target_name", on: .aks) {
            $0.computeTargetName = $1
        }

        if let resources = try top.object("containerResourceRequirements") {
            readers.append(resources)
            builder.set(try resources.nonNegativeNumber("cpu"), key: resources.path("cpu"), field: "cpu_cores") { $0.cpuCores = $1 }
            builder.set(try resources.nonNegativeNumber("memoryInGB"), key: resources.path("memoryInGB"), field: "memory_gb") {
                $0.memoryGb = $1
            }
            builder.set(try resources.nonNegativeNumber("cpuLimit"), key: resources.path("cpuLimit"), field: "cpu_cores_limit", on: .aks) {
                $0.cpuCoresLimit = $1
            }
            builder.set(
                try resources.nonNegativeNumber("memoryInGBLimit"), key: resources.path("memoryInGBLimit"), field: "memory_gb_limit", on: .aks
            ) { $0.memoryGbLimit = $1 }
            builder.set(try resources.uint32("gpu"), key: resources.path("gpu"), field: "gpu_cores") { $0.gpuCores = $1 }
            if try resources.uint32("fpga") ?? 0 > 0 {
                builder.warnings.append("\(path): \(resources.path("fpga")) is not supported; ignored")
            }
        }
        builder.set(try top.uint32("gpuCores"), key: "gpuCores", field: "gpu_cores") { $0.gpuCores = $1 }

        if let scaler = try top.object("autoScaler") {
            readers.append(scaler)
            builder.set(try scaler.bool("autoscaleEnabled"), key: scaler.path("autoscaleEnabled"), field: "autoscale_enabled", on: .aks) {
                $0.autoscaleEnabled = $1 ? .enabled : .disabled
            }
            builder.set(try scaler.uint32("minReplicas"), key: scaler.path("minReplicas"), field: "autoscale_min_replicas", on: .aks) {
                $0.autoscaleMinReplicas = $1
            }
            builder.set(try scaler.uint32("maxReplicas"), key: scaler.path("maxReplicas"), field: "autoscale_max_replicas", on: .aks) {
                $0.autoscaleMaxReplicas = $1
            }
            builder.set(
                try scaler.uint32("refreshPeriodInSeconds"), key: scaler.path("refreshPeriodInSeconds"), field: "autoscale_refresh_seconds",
                on: .aks
            ) { $0.autoscaleRefreshSeconds = $1 }
            builder.set(
                try scaler.uint32("targetUtilization"), key: scaler.path("targetUtilization"), field: "autoscale_target_utilization", on: .aks
            ) { $0.autoscaleTargetUtilization = $1 }
        }
        builder.set(try top.uint32("numReplicas"), key: "numReplicas", field: "num_replicas", on: .aks) { $0.numReplicas = $1 }

        builder.set(try top.bool("authEnabled"), key: "authEnabled", field: "auth_enabled") { $0.authEnabled = $1 ? .enabled : .disabled }
        // Not limited to AKS: on ACI the server refuses it with a clear error, as Azure does.
        builder.set(try top.bool("tokenAuthEnabled"), key: "tokenAuthEnabled", field: "token_auth_enabled") {
            $0.tokenAuthEnabled = $1 ? .enabled : .disabled
        }
        builder.set(try top.uint32("scoringTimeoutMs"), key: "scoringTimeoutMs", field: "scoring_timeout_ms", on: .aks) {
            $0.scoringTimeoutMs = $1
        }
        builder.set(
            try top.uint32("maxConcurrentRequestsPerContainer"), key: "maxConcurrentRequestsPerContainer",
            field: "replica_max_concurrent_requests", on: .aks
        ) { $0.replicaMaxConcurrentRequests = $1 }
        builder.set(try top.uint32("maxQueueWaitMs"), key: "maxQueueWaitMs", field: "max_request_wait_time_ms", on: .aks) {
            $0.maxRequestWaitTimeMs = $1
        }

        if let collection = try top.object("dataCollection") {
            readers.append(collection)
            builder.set(try collection.bool("storageEnabled"), key: collection.path("storageEnabled"), field: "collect_model_data") {
                $0.collectModelData = $1
            }
            if try collection.bool("eventHubEnabled") == true {
                builder.warnings.append("\(path): \(collection.path("eventHubEnabled")) is not supported; ignored")
            }
        }
        builder.set(try top.bool("appInsightsEnabled"), key: "appInsightsEnabled", field: "enable_app_insights") {
            $0.enableAppInsights = $1
        }

        if let probe = try top.object("livenessProbeRequirements") {
            readers.append(probe)
            let fields: [(String, String, WritableKeyPath<DeploymentConfig, UInt32>)] = [
                ("periodSeconds", "liveness_period_seconds", \.livenessPeriodSeconds),
                ("initialDelaySeconds", "liveness_initial_delay_seconds", \.livenessInitialDelaySeconds),
                ("timeoutSeconds", "liveness_timeout_seconds", \.livenessTimeoutSeconds),
                ("successThreshold", "liveness_success_threshold", \.livenessSuccessThreshold),
                ("failureThreshold", "liveness_failure_threshold", \.livenessFailureThreshold),
            ]
            for (key, field, keyPath) in fields {
                builder.set(try probe.uint32(key), key: probe.path(key), field: field, on: .aks) { $0[keyPath: keyPath] = $1 }
            }
        }

        // Azure's files nest the keys under "keys"; accept them at the top too.
        builder.set(try top.string("primaryKey"), key: "primaryKey", field: "primary_key") { $0.primaryKey = $1 }
        builder.set(try top.string("secondaryKey"), key: "secondaryKey", field: "secondary_key") { $0.secondaryKey = $1 }
        if let keys = try top.object("keys") {
            readers.append(keys)
            builder.set(try keys.string("primaryKey"), key: keys.path("primaryKey"), field: "primary_key") { $0.primaryKey = $1 }
            builder.set(try keys.string("secondaryKey"), key: keys.path("secondaryKey"), field: "secondary_key") { $0.secondaryKey = $1 }
        }

        builder.set(try top.stringMap("tags"), key: "tags", field: "tags") { $0.tags = $1 }
        builder.set(try top.stringMap("properties"), key: "properties", field: "properties") { $0.properties = $1 }
        builder.set(try top.string("description"), key: "description", field: "description") { $0.description = $1 }

        builder.set(try top.string("namespace"), key: "namespace", field: "namespace", on: .aks) { $0.namespace = $1 }
        builder.set(try top.bool("blobfuseEnabled"), key: "blobfuseEnabled", field: "blobfuse_enabled", on: .aks) {
            $0.blobfuseEnabled = $1 ? .enabled : .disabled
        }

        builder.set(try top.string("location"), key: "location", field: "location", on: .aci) { $0.location = $1 }
        builder.set(try top.string("dnsNameLabel"), key: "dnsNameLabel", field: "dns_name_label", on: .aci) { $0.dnsNameLabel = $1 }
        builder.set(try top.bool("sslEnabled"), key: "sslEnabled", field: "ssl_enabled", on: .aci) { $0.sslEnabled = $1 }
        builder.set(
            try Self.readFile(top, "sslCertificate", baseDirectory: baseDirectory), key: "sslCertificate", field: "ssl_cert_pem", on: .aci
        ) { $0.sslCertPEM = $1 }
        builder.set(try Self.readFile(top, "sslKey", baseDirectory: baseDirectory), key: "sslKey", field: "ssl_key_pem", on: .aci) {
            $0.sslKeyPEM = $1
        }
        builder.set(try top.string("cname"), key: "cname", field: "ssl_cname", on: .aci) { $0.sslCname = $1 }
        builder.set(try top.string("vaultBaseUrl"), key: "vaultBaseUrl", field: "cmk_vault_base_url", on: .aci) { $0.cmkVaultBaseURL = $1 }
        builder.set(try top.string("keyName"), key: "keyName", field: "cmk_key_name", on: .aci) { $0.cmkKeyName = $1 }
        builder.set(try top.string("keyVersion"), key: "keyVersion", field: "cmk_key_version", on: .aci) { $0.cmkKeyVersion = $1 }
        builder.set(try top.string("vnetName"), key: "vnetName", field: "vnet_name", on: .aci) { $0.vnetName = $1 }
        builder.set(try top.string("subnetName"), key: "subnetName", field: "subnet_name", on: .aci) { $0.subnetName = $1 }

        self.path = path
        self.config = builder.config
        self.fieldNames = builder.fieldNames
        self.warnings = builder.warnings + readers.flatMap { $0.unknownKeyWarnings() }
    }

    /// The contents of the file a key names (relative to `baseDirectory`).
    private static func readFile(_ reader: ConfigObjectReader, _ key: String, baseDirectory: String) throws -> String? {
        guard let name = try reader.string(key) else { return nil }
        let resolved = name.hasPrefix("/") ? name : baseDirectory + "/" + name
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw ConfigFileError(message: "\(reader.file): \(reader.path(key)) names '\(name)', which cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Which compute types a key applies to.
    private enum Applies {
        case all, aks, aci

        func includes(_ type: ComputeType) -> Bool {
            switch self {
            case .all: true
            case .aks: type != .aci
            case .aci: type != .aks
            }
        }
    }

    /// Collects fields, their names and warnings while the file is read.
    private struct Builder {
        let file: String
        var computeType = ComputeType.unspecified
        var config = DeploymentConfig()
        var fieldNames: [String] = []
        var warnings: [String] = []

        init(file: String) {
            self.file = file
        }

        /// Sets a field from a key, unless the key is absent or does not apply to the compute type.
        mutating func set<Value>(
            _ value: Value?, key: String, field: String, on applies: Applies = .all, _ apply: (inout DeploymentConfig, Value) -> Void
        ) {
            guard let value else { return }
            guard applies.includes(self.computeType) else {
                let type = self.computeType == .aks ? "aks" : "aci"
                self.warnings.append("\(self.file): '\(key)' does not apply to computeType \(type); ignored")
                return
            }
            apply(&self.config, value)
            if !self.fieldNames.contains(field) { self.fieldNames.append(field) }
        }
    }
}
