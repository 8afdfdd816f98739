import ModelGateAPI

/// Messages with every field set, for the round-trip tests; the `*Hex` constants are the same
/// values encoded by the official Python protobuf library.
enum MessageFixtures {
    static let healthResponseHex =
        "08011205302e312e301894b4e4f4cb032289010a0777732f6972697310021a106e6f207265616479207265706c69636120032a6810e807"
        + "180720032a470a18000000000000e03f000000000000f03f000000000000044012200a0000000000000014000000000000001e0000000000"
        + "000004000000000000001900000000004a934020403004380341000000000000e83f480250035880d095ffbc3128fbd095ffbc3130f303"
    static let regionHex =
        "0a066561737475731207456173742055531801220e0a0a776573746575726f70651055220f0a0b6e6f7274686575726f7065105c2dd4fe"
        + "ffff320b6368616f73206472696c6c3880d095ffbc31"
    static let getLogsRequestHex =
        "0a027773120469726973186420012a06697269732d313204626c75653900f0ffffffffffff42020103"
    static let modelFileChunkHex =
        "0a116d6f64656c2f776569676874732e62696e10808080021a05000102feff25839206e32801"

    static func healthResponse() -> HealthResponse {
        var latency = LatencyHistogram()
        latency.boundsMs = [0.5, 1, 2.5]
        latency.counts = [10, 20, 30, 4]
        latency.sumMs = 1234.5
        latency.count = 64
        var metrics = ServiceMetrics()
        metrics.requestsTotal = 1000
        metrics.errorsTotal = 7
        metrics.rejectedTotal = 3
        metrics.latency = latency
        metrics.replicas = 4
        metrics.busyReplicas = 3
        metrics.utilization = 0.75
        metrics.queueDepth = 2
        metrics.lastScaleDelta = -2
        metrics.lastScaledAtUnixMs = 1_700_000_000_000
        var health = ServiceHealth()
        health.name = "ws/iris"
        health.status = .notServing
        health.message = "no ready replica"
        health.state = .unhealthy
        health.metrics = [metrics]
        var response = HealthResponse()
        response.status = .serving
        response.serverVersion = "0.1.0"
        response.uptimeMs = 123_456_789_012
        response.services = [health]
        response.serverTimeUnixMs = 1_700_000_000_123
        response.clockSkewMs = -250
        return response
    }

    static func region() -> Region {
        var region = Region()
        region.name = "eastus"
        region.displayName = "East US"
        region.available = true
        region.latencies = [latency("westeurope", 85), latency("northeurope", 92)]
        region.utcOffsetMinutes = -300
        region.unavailableReason = "chaos drill"
        region.availabilityChangedAtUnixMs = 1_700_000_000_000
        return region
    }

    static func getLogsRequest() -> GetLogsRequest {
        var request = GetLogsRequest()
        request.workspace = "ws"
        request.name = "iris"
        request.tailLines = 100
        request.follow = true
        request.replicaID = "iris-1"
        request.version = "blue"
        request.startOffset = -4096
        request.sources = [.stdout, .system]
        return request
    }

    static func modelFileChunk() -> ModelFileChunk {
        var chunk = ModelFileChunk()
        chunk.path = "model/weights.bin"
        chunk.offset = 4 << 20
        chunk.data = [0, 1, 2, 254, 255]
        chunk.crc32c = 0xE306_9283
        chunk.last = true
        return chunk
    }

    static func registerModelRequest() -> RegisterModelRequest {
        var file = ModelFile()
        file.path = "model/weights.bin"
        file.sizeBytes = 5
        file.sha256 = String(repeating: "ab", count: 32)
        var registration = ModelRegistration()
        registration.workspace = "ws"
        registration.name = "iris"
        registration.description = "iris classifier"
        registration.tags = ["team": "ml", "stage": "dev"]
        registration.properties = ["accuracy": "0.97"]
        registration.modelFramework = "ScikitLearn"
        registration.modelFrameworkVersion = "1.5.0"
        registration.files = [file]
        var request = RegisterModelRequest()
        request.registration = registration
        request.chunk = modelFileChunk()
        return request
    }

    static func deploymentConfig() -> DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = "myaks"
        config.cpuCores = 0.5
        config.memoryGb = 1.5
        config.gpuCores = 1
        config.cpuCoresLimit = 2
        config.memoryGbLimit = 4
        config.numReplicas = 3
        config.autoscaleEnabled = .disabled
        config.autoscaleMinReplicas = 1
        config.autoscaleMaxReplicas = 4
        config.autoscaleRefreshSeconds = 1
        config.autoscaleTargetUtilization = 30
        config.authEnabled = .disabled
        config.tokenAuthEnabled = .enabled
        config.scoringTimeoutMs = 60_000
        config.replicaMaxConcurrentRequests = 2
        config.maxRequestWaitTimeMs = 500
        config.collectModelData = true
        config.enableAppInsights = true
        config.livenessPeriodSeconds = 10
        config.livenessInitialDelaySeconds = 310
        config.livenessTimeoutSeconds = 2
        config.livenessSuccessThreshold = 1
        config.livenessFailureThreshold = 3
        config.primaryKey = "primary-key"
        config.secondaryKey = "secondary-key"
        config.tags = ["sckitlearn": "demo"]
        config.properties = ["owner": "team-ml", "é": "ü"]
        config.description = "testing versions"
        config.namespace = "endpointnamespace"
        config.location = "westeurope"
        config.sslEnabled = true
        config.sslCertPEM = "-----BEGIN CERTIFICATE-----"
        config.sslKeyPEM = "-----BEGIN PRIVATE KEY-----"
        config.sslCname = "scoring.example.com"
        config.dnsNameLabel = "iris"
        config.blobfuseEnabled = .enabled
        config.cmkVaultBaseURL = "https://vault.example.com"
        config.cmkKeyName = "key"
        config.cmkKeyVersion = "1"
        config.vnetName = "vnet"
        config.subnetName = "subnet"
        config.autoscaleScaleToZero = .disabled
        return config
    }

    static func inferenceConfig() -> InferenceConfig {
        var environment = Environment()
        environment.workspace = "ws"
        environment.name = "sklearn-env"
        environment.version = 2
        environment.pythonVersion = "3.11"
        environment.pipRequirements = ["scikit-learn==1.5.0", "numpy"]
        environment.condaYaml = "dependencies:\n  - pip\n"
        environment.baseImage = "mcr.microsoft.com/azureml/base"
        environment.buildSteps = ["echo ready"]
        environment.environmentVariables = ["OMP_NUM_THREADS": "1"]
        environment.contentHash = String(repeating: "cd", count: 32)
        environment.description = "sklearn"
        environment.tags = ["kind": "cpu"]
        environment.createdAtUnixMs = 1_700_000_000_000
        environment.createdBy = "owner-client"
        var archive = BlobRef()
        archive.sha256 = String(repeating: "ef", count: 32)
        archive.sizeBytes = 2048
        var config = InferenceConfig()
        config.entryScript = "score.py"
        config.sourceArchive = [0x1F, 0x8B, 0x08, 0x00]
        config.sourceArchiveRef = archive
        config.environmentName = "sklearn-env"
        config.environmentVersion = 2
        config.runtime = "python"
        config.sourceDirectory = "./src"
        config.environment = environment
        config.description = "iris scoring"
        return config
    }

    static func replica() -> ReplicaStatus {
        var replica = ReplicaStatus()
        replica.replicaID = "iris-blue-1"
        replica.version = "blue"
        replica.state = .crashed
        replica.inFlight = 1
        replica.startedAtUnixMs = 1_700_000_000_000
        replica.restarts = 2
        replica.lastExitCode = -9
        replica.message = "liveness probe failed"
        replica.computeTarget = "myaks"
        return replica
    }

    static func webService() -> WebService {
        var service = WebService()
        service.workspace = "ws"
        service.name = "iris"
        service.state = .unhealthy
        service.models = ["iris:1", "iris-scaler:3"]
        service.inferenceConfig = inferenceConfig()
        service.deploymentConfig = deploymentConfig()
        service.scoringURI = "modelgate://127.0.0.1:7400/ws/iris"
        service.error = "1 of 3 replicas is crashing"
        service.replicas = [replica(), ReplicaStatus()]
        service.createdAtUnixMs = 1_700_000_000_000
        service.updatedAtUnixMs = 1_700_000_100_000
        service.createdBy = "owner-client"
        service.generation = 7
        service.errorCode = .unavailable
        return service
    }

    static func endpoint() -> Endpoint {
        var version = EndpointVersion()
        version.name = "versionb"
        version.trafficPercentile = 40
        version.isDefault = true
        version.versionType = .control
        version.models = ["iris:2"]
        version.inferenceConfig = inferenceConfig()
        version.deploymentConfig = deploymentConfig()
        version.description = "my second version update"
        version.tags = ["modelVersion": "b"]
        version.properties = ["created": "cli"]
        version.state = .healthy
        version.effectiveTrafficPercentile = 80
        version.replicas = [replica()]
        version.createdAtUnixMs = 1_700_000_000_000
        version.updatedAtUnixMs = 1_700_000_000_500
        version.error = "none"
        var endpoint = Endpoint()
        endpoint.workspace = "ws"
        endpoint.name = "mynewendpoint"
        endpoint.state = .transitioning
        endpoint.versions = [version, EndpointVersion()]
        endpoint.defaultVersion = "versionb"
        endpoint.deploymentConfig = deploymentConfig()
        endpoint.scoringURI = "modelgate://127.0.0.1:7400/ws/mynewendpoint"
        endpoint.error = "updating"
        endpoint.createdAtUnixMs = 1_700_000_000_000
        endpoint.updatedAtUnixMs = 1_700_000_000_900
        endpoint.createdBy = "owner-client"
        endpoint.generation = 3
        return endpoint
    }

    static func signInResponse() -> SignInResponse {
        var assignment = RoleAssignment()
        assignment.clientID = "client-1"
        assignment.workspace = "ws"
        assignment.role = .reader
        assignment.assignedAtUnixMs = 1_700_000_000_000
        assignment.assignedBy = "owner-client"
        var principal = Principal()
        principal.clientID = "client-1"
        principal.displayName = "Scoring bot"
        principal.kind = .servicePrincipal
        principal.createdAtUnixMs = 1_699_000_000_000
        principal.roleAssignments = [assignment, RoleAssignment()]
        principal.admin = true
        var response = SignInResponse()
        response.accessToken = "eyJhbGciOiJFUzI1NiJ9.e30.sig"
        response.expiresAtUnixMs = 1_700_003_600_000
        response.principal = principal
        response.tokenType = "Bearer"
        return response
    }

    static func scoreRequest() -> ScoreRequest {
        var request = ScoreRequest()
        request.requestID = "req-1"
        request.workspace = "ws"
        request.service = "iris"
        request.version = "blue"
        request.body = Array(#"{"data": [[5.1, 3.5, 1.4, 0.2]]}"#.utf8)
        request.contentType = "application/json"
        request.headers = ["x-ms-request-id": "abc", "traceparent": "00-1-2-01"]
        request.httpMethod = "POST"
        request.path = "/score?verbose=1"
        request.timeoutMs = 2500
        return request
    }

    static func scoreResponse() -> ScoreResponse {
        var response = ScoreResponse()
        response.requestID = "req-1"
        response.code = .resourceExhausted
        response.message = "no replica free within 500 ms"
        response.body = Array("[0]".utf8)
        response.contentType = "application/json"
        response.httpStatus = 503
        response.headers = ["retry-after": "1"]
        response.version = "blue"
        response.replicaID = "iris-blue-1"
        response.latencyMicros = 501_234
        response.queueWaitMicros = 500_000
        return response
    }

    static func computeTarget() -> ComputeTarget {
        var compute = ComputeTarget()
        compute.name = "myaks"
        compute.workspace = "ws"
        compute.type = .aks
        compute.region = "eastus"
        compute.purpose = .devTest
        compute.cpuCores = 8
        compute.memoryGb = 32
        compute.gpus = 1
        compute.usedCpuCores = 1.5
        compute.usedMemoryGb = 3.25
        compute.usedGpus = 1
        compute.description = "dev cluster"
        compute.tags = ["env": "dev"]
        compute.createdAtUnixMs = 1_700_000_000_000
        compute.createdBy = "owner-client"
        compute.replicaCount = 3
        return compute
    }

    static func listComputesRequest() -> ListComputesRequest {
        var request = ListComputesRequest()
        request.workspace = "ws"
        request.types = [.aks, .aci, ComputeType(rawValue: 9)]
        return request
    }

    static func signingKeys() -> GetSigningKeysResponse {
        var key = JsonWebKey()
        key.kid = "k1"
        key.kty = "EC"
        key.alg = "ES256"
        key.use = "sig"
        key.crv = "P-256"
        key.x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
        key.y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
        key.n = "n"
        key.e = "AQAB"
        key.notBeforeUnixMs = 1_700_000_000_000
        key.notAfterUnixMs = 1_800_000_000_000
        var response = GetSigningKeysResponse()
        response.jwksJSON = #"{"keys":[]}"#
        response.keys = [key]
        response.issuer = "modelgate/ws"
        return response
    }

    static func deploymentProgress() -> DeploymentProgress {
        var progress = DeploymentProgress()
        progress.workspace = "ws"
        progress.name = "iris"
        progress.phase = .done
        progress.message = "Failed: needs 2 cores, 1.5 free"
        progress.timestampUnixMs = 1_700_000_000_000
        progress.state = .unschedulable
        progress.final = true
        progress.version = "blue"
        progress.replicasReady = 1
        progress.replicasDesired = 2
        progress.cacheResult = .globalHit
        progress.environmentHash = String(repeating: "cd", count: 32)
        progress.bytesDone = 1024
        progress.bytesTotal = 2048
        progress.errorCode = .resourceExhausted
        return progress
    }

    static func latency(_ region: String, _ roundTripMs: UInt32) -> RegionLatency {
        var latency = RegionLatency()
        latency.region = region
        latency.roundTripMs = roundTripMs
        return latency
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var result: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let value = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            result.append(value)
        }
        return result
    }
}
