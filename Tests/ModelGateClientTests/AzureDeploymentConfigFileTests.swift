import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateTestSupport
import Testing

/// Azure's `deploymentconfig.json` read into a `DeploymentConfig`.
@Suite("deploymentconfig.json")
struct AzureDeploymentConfigFileTests {
    static func read(_ json: String, baseDirectory: String = NSTemporaryDirectory()) throws -> AzureDeploymentConfigFile {
        try AzureDeploymentConfigFile(data: Data(json.utf8), path: "deploymentconfig.json", baseDirectory: baseDirectory)
    }

    @Test("Every AKS key maps to its field")
    func everyAksKeyMaps() throws {
        // Given a file that sets every AKS key (values chosen to differ from every default)
        let file = try Self.read(
            """
            {
                "computeType": "AKS",
                "computeTargetName": "aks-prod",
                "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1.5, "cpuLimit": 2, "memoryInGBLimit": 3.25, "gpu": 1},
                "autoScaler": {"autoscaleEnabled": true, "minReplicas": 2, "maxReplicas": 7, "refreshPeriodInSeconds": 5, "targetUtilization": 60},
                "authEnabled": false,
                "tokenAuthEnabled": true,
                "scoringTimeoutMs": 1234,
                "maxConcurrentRequestsPerContainer": 4,
                "maxQueueWaitMs": 250,
                "dataCollection": {"storageEnabled": true},
                "appInsightsEnabled": true,
                "livenessProbeRequirements": {"periodSeconds": 11, "initialDelaySeconds": 12, "timeoutSeconds": 13,
                                              "successThreshold": 14, "failureThreshold": 15},
                "keys": {"primaryKey": "p-key", "secondaryKey": "s-key"},
                "tags": {"team": "fraud"},
                "properties": {"owner": "ml"},
                "description": "the model",
                "namespace": "scoring",
                "blobfuseEnabled": false
            }
            """)

        // Then each field holds its value
        let config = file.config
        #expect(config.computeType == .aks)
        #expect(config.computeTargetName == "aks-prod")
        #expect(config.cpuCores == 0.5 && config.memoryGb == 1.5)
        #expect(config.cpuCoresLimit == 2 && config.memoryGbLimit == 3.25 && config.gpuCores == 1)
        #expect(config.autoscaleEnabled == .enabled)
        #expect(config.autoscaleMinReplicas == 2 && config.autoscaleMaxReplicas == 7)
        #expect(config.autoscaleRefreshSeconds == 5 && config.autoscaleTargetUtilization == 60)
        #expect(config.authEnabled == .disabled && config.tokenAuthEnabled == .enabled)
        #expect(config.scoringTimeoutMs == 1234 && config.replicaMaxConcurrentRequests == 4 && config.maxRequestWaitTimeMs == 250)
        #expect(config.collectModelData && config.enableAppInsights)
        #expect(config.livenessPeriodSeconds == 11 && config.livenessInitialDelaySeconds == 12 && config.livenessTimeoutSeconds == 13)
        #expect(config.livenessSuccessThreshold == 14 && config.livenessFailureThreshold == 15)
        #expect(config.primaryKey == "p-key" && config.secondaryKey == "s-key")
        #expect(config.tags == ["team": "fraud"] && config.properties == ["owner": "ml"] && config.description == "the model")
        #expect(config.namespace == "scoring" && config.blobfuseEnabled == .disabled)
        #expect(file.warnings.isEmpty, "\(file.warnings)")
        #expect(file.fieldNames.contains("autoscale_target_utilization") && file.fieldNames.contains("primary_key"))
        #expect(!file.fieldNames.contains("num_replicas"))
    }

    @Test("Every ACI key maps to its field; SSL files are read relative to the config's folder")
    func everyAciKeyMaps() throws {
        let folder = NSTemporaryDirectory() + "modelgate-dc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/tls", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("CERT".utf8).write(to: URL(fileURLWithPath: folder + "/tls/cert.pem"))
        try Data("KEY".utf8).write(to: URL(fileURLWithPath: folder + "/tls/key.pem"))

        let file = try Self.read(
            """
            {
                "computeType": "aci",
                "containerResourceRequirements": {"cpu": 1, "memoryInGB": 2},
                "location": "eastus", "authEnabled": true, "sslEnabled": true,
                "sslCertificate": "tls/cert.pem", "sslKey": "tls/key.pem", "cname": "score.example.com",
                "dnsNameLabel": "linreg", "appInsightsEnabled": true,
                "vaultBaseUrl": "https://vault", "keyName": "k", "keyVersion": "v1", "vnetName": "net", "subnetName": "sub",
                "primaryKey": "top-p", "secondaryKey": "top-s"
            }
            """, baseDirectory: folder)

        let config = file.config
        #expect(config.computeType == .aci)
        #expect(config.cpuCores == 1 && config.memoryGb == 2)
        #expect(config.location == "eastus" && config.authEnabled == .enabled && config.sslEnabled)
        #expect(config.sslCertPEM == "CERT" && config.sslKeyPEM == "KEY" && config.sslCname == "score.example.com")
        #expect(config.dnsNameLabel == "linreg" && config.enableAppInsights)
        #expect(config.cmkVaultBaseURL == "https://vault" && config.cmkKeyName == "k" && config.cmkKeyVersion == "v1")
        #expect(config.vnetName == "net" && config.subnetName == "sub")
        #expect(config.primaryKey == "top-p" && config.secondaryKey == "top-s")
        #expect(file.warnings.isEmpty, "\(file.warnings)")
    }

    @Test("Keys that are missing or null leave their fields at zero, Azure's defaults on the server")
    func missingKeysStayZero() throws {
        let file = try Self.read(#"{"computeType": "aks", "numReplicas": null, "autoScaler": {"minReplicas": null}, "keys": null}"#)
        let config = file.config
        #expect(config.numReplicas == 0 && config.autoscaleEnabled == .unspecified && config.autoscaleMinReplicas == 0)
        #expect(config.cpuCores == 0 && config.memoryGb == 0 && config.authEnabled == .unspecified)
        #expect(config.scoringTimeoutMs == 0 && config.primaryKey.isEmpty && config.tags.isEmpty)
        #expect(file.fieldNames == ["compute_type"])
        #expect(file.warnings.isEmpty)
        // No computeType at all: nothing is set, and the server picks the type.
        #expect(try Self.read("{}").config.computeType == .unspecified)
    }

    @Test("numReplicas, gpuCores and the example file read as Azure writes them")
    func exampleFileReads() throws {
        let fixed = try Self.read(#"{"computeType": "aks", "numReplicas": 3, "gpuCores": 2}"#)
        #expect(fixed.config.numReplicas == 3 && fixed.config.gpuCores == 2)

        let example = try AzureDeploymentConfigFile.read(
            path: RepositoryLayout.root.appending(path: "examples/linear-regression/deploymentconfig.json").path)
        #expect(example.warnings.isEmpty, "\(example.warnings)")
        #expect(example.config.computeType == .aks && example.config.cpuCores == 0.5 && example.config.autoscaleMaxReplicas == 3)
        #expect(example.config.authEnabled == .enabled && example.config.livenessInitialDelaySeconds > 0)
    }

    @Test("Unknown keys, and keys of the other compute type, are ignored with a warning naming them")
    func unknownKeysWarn() throws {
        let file = try Self.read(
            #"{"computeType": "aci", "colour": "blue", "autoScaler": {"maxReplicas": 4, "speed": 1}, "dnsNameLabel": "x"}"#)
        #expect(file.config.autoscaleMaxReplicas == 0)
        #expect(file.config.dnsNameLabel == "x")
        #expect(file.warnings.contains { $0.contains("deploymentconfig.json") && $0.contains("'colour'") })
        #expect(file.warnings.contains { $0.contains("'autoScaler.speed'") })
        #expect(file.warnings.contains { $0.contains("autoScaler.maxReplicas") && $0.contains("aci") })
        #expect(!file.fieldNames.contains("autoscale_max_replicas"))

        let aks = try Self.read(#"{"computeType": "aks", "dnsNameLabel": "x"}"#)
        #expect(aks.config.dnsNameLabel.isEmpty)
        #expect(aks.warnings.contains { $0.contains("dnsNameLabel") && $0.contains("aks") })
    }

    @Test("Wrong types are errors naming the file and the key", arguments: [
        (#"{"containerResourceRequirements": {"cpu": "half"}}"#, "containerResourceRequirements.cpu must be a number"),
        (#"{"containerResourceRequirements": {"memoryInGB": -1}}"#, "containerResourceRequirements.memoryInGB must be a number that is not negative"),
        (#"{"autoScaler": {"minReplicas": 1.5}}"#, "autoScaler.minReplicas must be a whole number"),
        (#"{"autoScaler": {"autoscaleEnabled": "yes"}}"#, "autoScaler.autoscaleEnabled must be true or false"),
        (#"{"authEnabled": 1}"#, "authEnabled must be true or false"),
        (#"{"numReplicas": -2}"#, "numReplicas must be a whole number"),
        (#"{"tags": {"team": 7}}"#, "tags.team must be a string"),
        (#"{"tags": ["a"]}"#, "tags must be an object of strings"),
        (#"{"keys": "abc"}"#, "keys must be an object"),
        (#"{"computeType": "local"}"#, "computeType must be \"aks\" or \"aci\""),
        (#"{"computeType": 1}"#, "computeType must be a string"),
        (#"["computeType"]"#, "expected a JSON object"),
        (#"{"computeType": aks}"#, "not valid JSON"),
        (#"{"sslCertificate": "no-such-file.pem"}"#, "sslCertificate names 'no-such-file.pem'"),
    ])
    func wrongTypesAreErrors(json: String, message: String) {
        let error = #expect(throws: ConfigFileError.self) { try Self.read(json) }
        #expect(error?.message.hasPrefix("deploymentconfig.json: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("A file that cannot be read is an error naming it")
    func unreadableFile() {
        let path = NSTemporaryDirectory() + "missing-\(UUID().uuidString).json"
        let error = #expect(throws: ConfigFileError.self) { try AzureDeploymentConfigFile.read(path: path) }
        #expect(error?.message.contains(path) == true)
    }
}
