public import ModelGateWire

/// How to run a web service, with the fields and defaults of Azure's AksWebservice.deploy_configuration and
/// AciWebservice.deploy_configuration. Zero values mean "the default"; the server returns the effective values
/// (`modelgate.v1.DeploymentConfig`).
public struct DeploymentConfig: ProtoMessage {
    /// AKS or ACI; unspecified takes the compute target's type, or ACI without one.
    public var computeType = ComputeType.unspecified
    /// The compute target to deploy to (Azure's compute_target_name); required for AKS.
    public var computeTargetName = ""
    /// CPU cores requested per replica; 0 means 0.1. Counted against the cluster's capacity.
    public var cpuCores: Double = 0
    /// Memory requested per replica in GiB; 0 means 0.5.
    public var memoryGb: Double = 0
    /// GPUs per replica; default 0.
    public var gpuCores: UInt32 = 0
    /// Most CPU cores a replica may use; 0 means cpu_cores.
    public var cpuCoresLimit: Double = 0
    /// Most memory a replica may use in GiB; 0 means memory_gb.
    public var memoryGbLimit: Double = 0
    /// Fixed replica count; 0 means not fixed, and autoscaling is then on by default.
    public var numReplicas: UInt32 = 0
    /// Autoscaling (AKS only); default on when num_replicas is 0, else off.
    public var autoscaleEnabled = Toggle.unspecified
    /// Fewest replicas when autoscaling; 0 means 1.
    public var autoscaleMinReplicas: UInt32 = 0
    /// Most replicas when autoscaling; 0 means 10.
    public var autoscaleMaxReplicas: UInt32 = 0
    /// How often the autoscaler reconsiders, in seconds; 0 means 1.
    public var autoscaleRefreshSeconds: UInt32 = 0
    /// Busy replicas per replica the autoscaler aims for, in percent; 0 means 70.
    public var autoscaleTargetUtilization: UInt32 = 0
    /// Key auth; default on for AKS, off for ACI. Cannot be on with token auth.
    public var authEnabled = Toggle.unspecified
    /// Token auth (AKS only); default off. Cannot be on with key auth.
    public var tokenAuthEnabled = Toggle.unspecified
    /// Time a request may run before it fails with DEADLINE_EXCEEDED, in ms; 0 means 60000.
    public var scoringTimeoutMs: UInt32 = 0
    /// Requests one replica runs at a time; 0 means 1.
    public var replicaMaxConcurrentRequests: UInt32 = 0
    /// Time a request may wait for a free replica before it fails with RESOURCE_EXHAUSTED, in ms (Azure's
    /// max_request_wait_time); 0 means 500.
    public var maxRequestWaitTimeMs: UInt32 = 0
    /// Keep every scoring input and output, per service, version and day; default off.
    public var collectModelData = false
    /// Azure's Application Insights switch; stored, metrics are always on /metrics.
    public var enableAppInsights = false
    /// Liveness probe interval in seconds (Azure's period_seconds); 0 means 10.
    public var livenessPeriodSeconds: UInt32 = 0
    /// Seconds after a replica starts before probing (initial_delay_seconds); 0 means 310.
    public var livenessInitialDelaySeconds: UInt32 = 0
    /// Seconds after which a probe times out (timeout_seconds); 0 means 2.
    public var livenessTimeoutSeconds: UInt32 = 0
    /// Consecutive successes that make a failed replica live again (success_threshold); 0 means 1.
    public var livenessSuccessThreshold: UInt32 = 0
    /// Consecutive failures before a replica is restarted (failure_threshold); 0 means 3.
    public var livenessFailureThreshold: UInt32 = 0
    /// The primary auth key to use; empty means generate one.
    public var primaryKey = ""
    /// The secondary auth key to use; empty means generate one.
    public var secondaryKey = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Key-value properties; existing keys cannot change after deployment, new ones can be added.
    public var properties: [String: String] = [:]
    /// Free text.
    public var description = ""
    /// Kubernetes namespace (AKS): up to 63 of a-z, 0-9 and '-', not starting or ending with '-'; empty means
    /// the default namespace.
    public var namespace = ""
    /// Region of the container group (ACI); empty means the workspace's region.
    public var location = ""
    /// Serve TLS for this service (ACI); default off.
    public var sslEnabled = false
    /// PEM certificate for ssl_enabled (Azure's ssl_cert_pem_file, by content).
    public var sslCertPEM = ""
    /// PEM private key for ssl_enabled (Azure's ssl_key_pem_file, by content).
    public var sslKeyPEM = ""
    /// CNAME for ssl_enabled.
    public var sslCname = ""
    /// DNS name label of the scoring endpoint (ACI).
    public var dnsNameLabel = ""
    /// Azure's blobfuse model download switch (AKS); stored, no effect in ModelGate.
    public var blobfuseEnabled = Toggle.unspecified
    /// Azure's customer-managed key vault URL (ACI); stored, no effect in ModelGate.
    public var cmkVaultBaseURL = ""
    /// Azure's customer-managed key name (ACI); stored, no effect in ModelGate.
    public var cmkKeyName = ""
    /// Azure's customer-managed key version (ACI); stored, no effect in ModelGate.
    public var cmkKeyVersion = ""
    /// Azure's virtual network name (ACI); stored, no effect in ModelGate.
    public var vnetName = ""
    /// Azure's subnet name (ACI); stored, no effect in ModelGate.
    public var subnetName = ""
    /// Scale to zero: `autoscale_min_replicas` is 0 (proto3 cannot tell 0 from
    /// unset there, and its 0 means 1).
    public var autoscaleScaleToZero = Toggle.unspecified
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeploymentConfig"
    public static let fields: [ProtoField<Self>] = [
        .enumeration(1, "compute_type", \.computeType),
        .string(2, "compute_target_name", \.computeTargetName),
        .double(3, "cpu_cores", \.cpuCores),
        .double(4, "memory_gb", \.memoryGb),
        .uint32(5, "gpu_cores", \.gpuCores),
        .double(6, "cpu_cores_limit", \.cpuCoresLimit),
        .double(7, "memory_gb_limit", \.memoryGbLimit),
        .uint32(8, "num_replicas", \.numReplicas),
        .enumeration(9, "autoscale_enabled", \.autoscaleEnabled),
        .uint32(10, "autoscale_min_replicas", \.autoscaleMinReplicas),
        .uint32(11, "autoscale_max_replicas", \.autoscaleMaxReplicas),
        .uint32(12, "autoscale_refresh_seconds", \.autoscaleRefreshSeconds),
        .uint32(13, "autoscale_target_utilization", \.autoscaleTargetUtilization),
        .enumeration(14, "auth_enabled", \.authEnabled),
        .enumeration(15, "token_auth_enabled", \.tokenAuthEnabled),
        .uint32(16, "scoring_timeout_ms", \.scoringTimeoutMs),
        .uint32(17, "replica_max_concurrent_requests", \.replicaMaxConcurrentRequests),
        .uint32(18, "max_request_wait_time_ms", \.maxRequestWaitTimeMs),
        .bool(19, "collect_model_data", \.collectModelData),
        .bool(20, "enable_app_insights", \.enableAppInsights),
        .uint32(21, "liveness_period_seconds", \.livenessPeriodSeconds),
        .uint32(22, "liveness_initial_delay_seconds", \.livenessInitialDelaySeconds),
        .uint32(23, "liveness_timeout_seconds", \.livenessTimeoutSeconds),
        .uint32(24, "liveness_success_threshold", \.livenessSuccessThreshold),
        .uint32(25, "liveness_failure_threshold", \.livenessFailureThreshold),
        .string(26, "primary_key", \.primaryKey),
        .string(27, "secondary_key", \.secondaryKey),
        .map(28, "tags", \.tags),
        .map(29, "properties", \.properties),
        .string(30, "description", \.description),
        .string(31, "namespace", \.namespace),
        .string(32, "location", \.location),
        .bool(33, "ssl_enabled", \.sslEnabled),
        .string(34, "ssl_cert_pem", \.sslCertPEM),
        .string(35, "ssl_key_pem", \.sslKeyPEM),
        .string(36, "ssl_cname", \.sslCname),
        .string(37, "dns_name_label", \.dnsNameLabel),
        .enumeration(38, "blobfuse_enabled", \.blobfuseEnabled),
        .string(39, "cmk_vault_base_url", \.cmkVaultBaseURL),
        .string(40, "cmk_key_name", \.cmkKeyName),
        .string(41, "cmk_key_version", \.cmkKeyVersion),
        .string(42, "vnet_name", \.vnetName),
        .string(43, "subnet_name", \.subnetName),
        .enumeration(44, "autoscale_scale_to_zero", \.autoscaleScaleToZero),
    ]
}
