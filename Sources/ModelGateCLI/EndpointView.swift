internal import Foundation
internal import ModelGateAPI

/// How an endpoint is printed: a summary with one line per version as text,
/// every field as JSON. Keys are never printed here (`service get-keys` does).
struct EndpointView {
    let endpoint: Endpoint
    init(_ endpoint: Endpoint) { self.endpoint = endpoint }

    /// `versiona Healthy 20% (gets 80%) treatment default 1/1 ready`.
    static func line(_ version: EndpointVersion) -> String {
        let ready = version.replicas.filter { $0.state == .ready }.count
        let type = version.versionType == .control ? "control" : "treatment"
        return "\(version.name) \(ServiceView.state(version.state)) \(Self.percent(version.trafficPercentile))"
            + " (gets \(Self.percent(version.effectiveTrafficPercentile))) \(type)\(version.isDefault ? " default" : "")"
            + " \(ready)/\(version.replicas.count) ready"
            + (version.error.isEmpty ? "" : ": \(version.error.split(separator: "\n").first.map(String.init) ?? "")")
    }

    static func percent(_ value: Float) -> String {
        value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }

    var json: [String: Any] {
        let config = self.endpoint.deploymentConfig ?? DeploymentConfig()
        return [
            "workspace": self.endpoint.workspace, "name": self.endpoint.name, "state": ServiceView.state(self.endpoint.state),
            "computeTarget": config.computeTargetName, "scoringUri": self.endpoint.scoringURI,
            "defaultVersion": self.endpoint.defaultVersion, "error": self.endpoint.error,
            "authEnabled": config.authEnabled == .enabled, "tokenAuthEnabled": config.tokenAuthEnabled == .enabled,
            "deploymentConfig": ServiceView.json(config: config),
            "versions": self.endpoint.versions.map { version -> [String: Any] in
                [
                    "name": version.name, "state": ServiceView.state(version.state),
                    "trafficPercentile": Double(version.trafficPercentile),
                    "effectiveTrafficPercentile": Double(version.effectiveTrafficPercentile), "isDefault": version.isDefault,
                    "versionType": version.versionType == .control ? "control" : "treatment", "models": version.models,
                    "description": version.description, "tags": version.tags, "error": version.error,
                    "replicas": version.replicas.map(ServiceView.json(replica:)),
                    "createdAt": Printer.time(unixMs: version.createdAtUnixMs), "updatedAt": Printer.time(unixMs: version.updatedAtUnixMs),
                ]
            },
            "createdAt": Printer.time(unixMs: self.endpoint.createdAtUnixMs),
            "updatedAt": Printer.time(unixMs: self.endpoint.updatedAtUnixMs), "createdBy": self.endpoint.createdBy,
            "generation": Int(clamping: self.endpoint.generation),
        ]
    }

    func print(_ printer: Printer) {
        switch printer.format {
        case .json:
            printer.printMessage("", json: self.json)
        case .text:
            let config = self.endpoint.deploymentConfig ?? DeploymentConfig()
            printer.printObject([
                "name": self.endpoint.name,
                "workspace": self.endpoint.workspace,
                "state": ServiceView.state(self.endpoint.state),
                "computeTarget": config.computeTargetName,
                "scoringUri": self.endpoint.scoringURI,
                "defaultVersion": self.endpoint.defaultVersion,
                "scaling": ServiceView.scaling(config),
                "versions": self.endpoint.versions.map(Self.line),
                "error": self.endpoint.error.split(separator: "\n").first.map(String.init) ?? "",
            ])
        }
    }
}
