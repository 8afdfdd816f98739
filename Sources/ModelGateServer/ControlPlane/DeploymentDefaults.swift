internal import ModelGateAPI

/// Azure's defaults and validation rules for a deployment configuration,
/// after `AksWebservice.deploy_configuration` and `AciWebservice.deploy_configuration`.
///
/// The server stores and returns the effective configuration (every zero
/// replaced by its default), so `GetService` shows what actually runs.
enum DeploymentDefaults {
    static let cpuCores = 0.1
    static let memoryGB = 0.5
    static let autoscaleMinReplicas: UInt32 = 1
    static let autoscaleMaxReplicas: UInt32 = 10
    static let autoscaleRefreshSeconds: UInt32 = 1
    static let autoscaleTargetUtilization: UInt32 = 70
    static let scoringTimeoutMs: UInt32 = 60_000
    static let replicaMaxConcurrentRequests: UInt32 = 1
    static let maxRequestWaitTimeMs: UInt32 = 500
    static let livenessPeriodSeconds: UInt32 = 10
    static let livenessInitialDelaySeconds: UInt32 = 310
    static let livenessTimeoutSeconds: UInt32 = 2
    static let livenessSuccessThreshold: UInt32 = 1
    static let livenessFailureThreshold: UInt32 = 3
    /// Sanity bounds, so a typo cannot ask for a million replicas.
    static let maxReplicas: UInt32 = 1_000
    static let maxConcurrentRequests: UInt32 = 1_000

    /// `config` with its defaults filled in, for a target of `computeType`.
    ///
    /// - Parameter computeType: AKS or ACI, already decided from the request and the target.
    /// - Throws: `INVALID_ARGUMENT` naming the broken rule: autoscaling together
    ///   with `num_replicas`, autoscaling off without `num_replicas`, min above
    ///   max, a limit below its request, token auth on ACI or with key auth,
    ///   values out of range.
    static func effective(_ config: DeploymentConfig, computeType: ComputeType) throws(RPCError) -> DeploymentConfig {
        var config = config
        config.computeType = computeType
        let isAKS = computeType == .aks

        try Self.checkResource(&config.cpuCores, limit: &config.cpuCoresLimit, default: Self.cpuCores, name: "cpu_cores")
        try Self.checkResource(&config.memoryGb, limit: &config.memoryGbLimit, default: Self.memoryGB, name: "memory_gb")

        // Replicas and autoscaling (AKS only), with Azure's rules.
        if config.autoscaleEnabled == .enabled {
            guard isAKS else { throw Self.invalid("autoscaling is available on AKS only; set num_replicas instead") }
            guard config.numReplicas == 0 else {
                throw Self.invalid("autoscale_enabled and num_replicas cannot both be set: choose a fixed replica count or autoscaling")
            }
        } else if config.autoscaleEnabled == .disabled, config.numReplicas == 0 {
            throw Self.invalid("num_replicas is required when autoscaling is disabled")
        }
        if config.autoscaleEnabled == .unspecified {
            config.autoscaleEnabled = isAKS && config.numReplicas == 0 ? .enabled : .disabled
        }
        if !isAKS, config.numReplicas == 0 { config.numReplicas = 1 }
        Self.fill(&config.autoscaleMinReplicas, Self.autoscaleMinReplicas)
        Self.fill(&config.autoscaleMaxReplicas, Self.autoscaleMaxReplicas)
        Self.fill(&config.autoscaleRefreshSeconds, Self.autoscaleRefreshSeconds)
        Self.fill(&config.autoscaleTargetUtilization, Self.autoscaleTargetUtilization)
        if config.autoscaleScaleToZero == .enabled {
            guard config.autoscaleEnabled == .enabled else {
                throw Self.invalid("autoscale_scale_to_zero needs autoscaling (AKS, autoscale_enabled, no num_replicas)")
            }
            // Filled with 1 above when it was 0; any other value contradicts scaling to zero.
            guard config.autoscaleMinReplicas <= 1 else {
                throw Self.invalid(
                    "autoscale_scale_to_zero sets autoscale_min_replicas to 0; it cannot also be \(config.autoscaleMinReplicas)"
                )
            }
            config.autoscaleMinReplicas = 0
        } else {
            config.autoscaleScaleToZero = .disabled
        }
        guard config.autoscaleMinReplicas <= config.autoscaleMaxReplicas else {
            throw Self.invalid(
                "autoscale_min_replicas (\(config.autoscaleMinReplicas)) is above autoscale_max_replicas (\(config.autoscaleMaxReplicas))"
            )
        }
        guard config.numReplicas <= Self.maxReplicas, config.autoscaleMaxReplicas <= Self.maxReplicas else {
            throw Self.invalid("at most \(Self.maxReplicas) replicas")
        }
        guard config.autoscaleTargetUtilization <= 100 else {
            throw Self.invalid("autoscale_target_utilization is a percentage: 1 to 100 (got \(config.autoscaleTargetUtilization))")
        }

        // Authentication: keys by default on AKS, nothing by default on ACI; token auth is AKS only and never with keys.
        if config.tokenAuthEnabled == .enabled {
            guard isAKS else { throw Self.invalid("token auth is available on AKS only; use auth_enabled (keys) on ACI") }
            guard config.authEnabled != .enabled else {
                throw Self.invalid("auth_enabled and token_auth_enabled cannot both be on: choose key auth or token auth")
            }
            // Token auth on: key auth left unspecified is off, as Azure's `deploy_configuration(token_auth_enabled=True)` needs.
            config.authEnabled = .disabled
        } else {
            config.tokenAuthEnabled = .disabled
            if config.authEnabled == .unspecified { config.authEnabled = isAKS ? .enabled : .disabled }
        }

        Self.fill(&config.scoringTimeoutMs, Self.scoringTimeoutMs)
        Self.fill(&config.replicaMaxConcurrentRequests, Self.replicaMaxConcurrentRequests)
        guard config.replicaMaxConcurrentRequests <= Self.maxConcurrentRequests else {
            throw Self.invalid("replica_max_concurrent_requests is at most \(Self.maxConcurrentRequests)")
        }
        Self.fill(&config.maxRequestWaitTimeMs, Self.maxRequestWaitTimeMs)
        Self.fill(&config.livenessPeriodSeconds, Self.livenessPeriodSeconds)
        Self.fill(&config.livenessInitialDelaySeconds, Self.livenessInitialDelaySeconds)
        Self.fill(&config.livenessTimeoutSeconds, Self.livenessTimeoutSeconds)
        Self.fill(&config.livenessSuccessThreshold, Self.livenessSuccessThreshold)
        Self.fill(&config.livenessFailureThreshold, Self.livenessFailureThreshold)
        if config.blobfuseEnabled == .unspecified { config.blobfuseEnabled = isAKS ? .enabled : .disabled }
        try Self.checkNamespace(config.namespace)
        // Keys are stored apart from the configuration and never echoed in it.
        config.primaryKey = ""
        config.secondaryKey = ""
        return config
    }

    /// Replicas the service starts with: `num_replicas`, or the autoscaler's
    /// minimum. A service that scales to zero still starts one, so the
    /// deployment proves the script loads; the autoscaler stops it when idle.
    static func initialReplicas(_ config: DeploymentConfig) -> Int {
        Int(config.autoscaleEnabled == .enabled ? max(1, config.autoscaleMinReplicas) : max(1, config.numReplicas))
    }

    private static func checkResource(_ request: inout Double, limit: inout Double, default value: Double, name: String) throws(RPCError) {
        guard request.isFinite, request >= 0, limit.isFinite, limit >= 0 else {
            throw Self.invalid("\(name) and \(name)_limit must be finite and not negative")
        }
        if request == 0 { request = value }
        if limit == 0 { limit = request }
        guard limit >= request else {
            throw Self.invalid("\(name)_limit (\(limit)) is below \(name) (\(request)): a limit cannot be less than its request")
        }
    }

    /// Kubernetes' namespace rule: up to 63 of a-z, 0-9 and '-', not starting or ending with '-'.
    private static func checkNamespace(_ namespace: String) throws(RPCError) {
        guard !namespace.isEmpty else { return }
        let bytes = Array(namespace.utf8)
        let valid = bytes.count <= 63 && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
            && bytes.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        guard valid else {
            throw Self.invalid("namespace '\(namespace)' must be up to 63 of a-z, 0-9 and '-', not starting or ending with '-'")
        }
    }

    private static func fill(_ value: inout UInt32, _ fallback: UInt32) {
        if value == 0 { value = fallback }
    }

    private static func invalid(_ message: String) -> RPCError {
        RPCError(code: .invalidArgument, message: "invalid deployment config: \(message)")
    }
}
