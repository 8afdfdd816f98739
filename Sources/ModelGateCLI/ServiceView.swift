internal import Foundation
internal import ModelGateAPI

/// How a web service is printed: a summary as text, every field as JSON.
///
/// Keys are never printed here (`service get-keys` does that).
struct ServiceView {
    let service: WebService
    init(_ service: WebService) { self.service = service }

    /// A state as Azure spells it: `Healthy`, `Transitioning`, ...
    static func state(_ state: WebServiceState) -> String {
        switch state {
        case .transitioning: "Transitioning"
        case .healthy: "Healthy"
        case .unhealthy: "Unhealthy"
        case .failed: "Failed"
        case .unschedulable: "Unschedulable"
        default: "Unknown"
        }
    }

    /// Whether a deployment that ended in `state` failed (the command exits 1).
    static func isFailure(_ state: WebServiceState) -> Bool {
        state == .failed || state == .unhealthy || state == .unschedulable
    }

    static func computeType(_ type: ComputeType) -> String {
        switch type {
        case .aks: "AKS"
        case .aci: "ACI"
        default: ""
        }
    }

    private var config: DeploymentConfig { self.service.deploymentConfig ?? DeploymentConfig() }

    /// `key`, `token` or `off`.
    var auth: String {
        if self.config.tokenAuthEnabled == .enabled { return "token" }
        return self.config.authEnabled == .enabled ? "key" : "off"
    }

    /// Ready replicas of all.
    var replicas: String {
        let ready = self.service.replicas.filter { $0.state == .ready }.count
        return "\(ready)/\(self.service.replicas.count)"
    }

    var json: [String: Any] {
        let inference = self.service.inferenceConfig ?? InferenceConfig()
        var inferenceJSON: [String: Any] = [
            "entryScript": inference.entryScript, "sourceDirectory": inference.sourceDirectory, "runtime": inference.runtime,
            "description": inference.description,
        ]
        if !inference.environmentName.isEmpty {
            inferenceJSON["environmentName"] = inference.environmentName
            inferenceJSON["environmentVersion"] = Int(inference.environmentVersion)
        }
        if let archive = inference.sourceArchiveRef {
            inferenceJSON["sourceArchive"] = ["sha256": archive.sha256, "sizeBytes": Int(clamping: archive.sizeBytes)] as [String: Any]
        }
        return [
            "workspace": self.service.workspace, "name": self.service.name, "state": Self.state(self.service.state),
            "computeType": Self.computeType(self.config.computeType), "computeTarget": self.config.computeTargetName,
            "models": self.service.models, "scoringUri": self.service.scoringURI, "authEnabled": self.config.authEnabled == .enabled,
            "tokenAuthEnabled": self.config.tokenAuthEnabled == .enabled, "error": self.service.error,
            "errorCode": self.service.errorCode == .ok ? "" : "\(self.service.errorCode)",
            "replicas": self.service.replicas.map(Self.json(replica:)),
            "deploymentConfig": Self.json(config: self.config), "inferenceConfig": inferenceJSON,
            "tags": self.config.tags, "properties": self.config.properties, "description": self.config.description,
            "createdAt": Printer.time(unixMs: self.service.createdAtUnixMs),
            "updatedAt": Printer.time(unixMs: self.service.updatedAtUnixMs), "createdBy": self.service.createdBy,
            "generation": Int(clamping: self.service.generation),
        ]
    }

    func print(_ printer: Printer) {
        switch printer.format {
        case .json:
            // printMessage prints its JSON form as it is: the whole object.
            printer.printMessage("", json: self.json)
        case .text:
            let config = self.config
            printer.printObject([
                "name": self.service.name,
                "workspace": self.service.workspace,
                "state": Self.state(self.service.state),
                "computeType": Self.computeType(config.computeType),
                "computeTarget": config.computeTargetName,
                "models": self.service.models,
                "scoringUri": self.service.scoringURI,
                "auth": self.auth,
                "replicas": self.replicas,
                "scaling": Self.scaling(config),
                "resources": "\(ComputeView.usage(config.cpuCores, of: config.cpuCoresLimit)) cores, \(ComputeView.usage(config.memoryGb, of: config.memoryGbLimit)) GB (request/limit)",
                // The first line: a traceback follows in the progress and on stderr.
                "error": self.service.error.split(separator: "\n").first.map(String.init) ?? "",
                "tags": config.tags,
                "description": config.description,
                "createdAt": Printer.time(unixMs: self.service.createdAtUnixMs),
                "updatedAt": Printer.time(unixMs: self.service.updatedAtUnixMs),
            ])
        }
    }

    /// `autoscale 1-10 at 70%` or `fixed 3`.
    static func scaling(_ config: DeploymentConfig) -> String {
        if config.autoscaleEnabled == .enabled {
            return "autoscale \(config.autoscaleMinReplicas)-\(config.autoscaleMaxReplicas) at \(config.autoscaleTargetUtilization)%"
        }
        return config.numReplicas > 0 ? "fixed \(config.numReplicas)" : "-"
    }

    static func json(replica: ReplicaStatus) -> [String: Any] {
        [
            "replicaId": replica.replicaID, "version": replica.version, "state": Printer.name(of: replica.state),
            "inFlight": Int(replica.inFlight), "restarts": Int(replica.restarts), "lastExitCode": Int(replica.lastExitCode),
            "message": replica.message, "startedAt": Printer.time(unixMs: replica.startedAtUnixMs),
            "computeTarget": replica.computeTarget,
        ]
    }

    /// Every setting except the keys, with Azure's parameter names in camel case.
    static func json(config: DeploymentConfig) -> [String: Any] {
        func toggle(_ value: Toggle) -> Any {
            switch value {
            case .enabled: true
            case .disabled: false
            default: NSNull()
            }
        }
        return [
            "computeType": Self.computeType(config.computeType), "computeTargetName": config.computeTargetName,
            "cpuCores": config.cpuCores, "memoryGb": config.memoryGb, "gpuCores": Int(config.gpuCores),
            "cpuCoresLimit": config.cpuCoresLimit, "memoryGbLimit": config.memoryGbLimit, "numReplicas": Int(config.numReplicas),
            "autoscaleEnabled": toggle(config.autoscaleEnabled), "autoscaleMinReplicas": Int(config.autoscaleMinReplicas),
            "autoscaleMaxReplicas": Int(config.autoscaleMaxReplicas), "autoscaleRefreshSeconds": Int(config.autoscaleRefreshSeconds),
            "autoscaleTargetUtilization": Int(config.autoscaleTargetUtilization), "authEnabled": toggle(config.authEnabled),
            "tokenAuthEnabled": toggle(config.tokenAuthEnabled), "scoringTimeoutMs": Int(config.scoringTimeoutMs),
            "replicaMaxConcurrentRequests": Int(config.replicaMaxConcurrentRequests),
            "maxRequestWaitTimeMs": Int(config.maxRequestWaitTimeMs), "collectModelData": config.collectModelData,
            "enableAppInsights": config.enableAppInsights, "livenessPeriodSeconds": Int(config.livenessPeriodSeconds),
            "livenessInitialDelaySeconds": Int(config.livenessInitialDelaySeconds),
            "livenessTimeoutSeconds": Int(config.livenessTimeoutSeconds),
            "livenessSuccessThreshold": Int(config.livenessSuccessThreshold),
            "livenessFailureThreshold": Int(config.livenessFailureThreshold), "namespace": config.namespace,
            "location": config.location, "dnsNameLabel": config.dnsNameLabel, "sslEnabled": config.sslEnabled,
        ]
    }
}
