internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate compute attach aks|list|show|detach`.
struct ComputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Attach, list, show and detach compute targets (AKS clusters; ACI needs none).",
        subcommands: [Attach.self, List.self, Show.self, Detach.self]
    )

    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach a compute target to a workspace.",
            subcommands: [Aks.self]
        )
    }

    /// `compute attach aks`.
    struct Aks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "aks",
            abstract: "Attach an AKS cluster with a region, a purpose and a capacity.",
            discussion: "Replicas are placed only within the capacity; autoscaling never grows it."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The compute target's name (2-16 letters, digits, '-').") var name: String
        @Option(name: .long, help: "The region it runs in (default: the workspace's).") var region: String?
        @Option(name: .long, help: "CPU cores it offers.") var cores: Double
        @Option(name: .long, help: "Memory it offers, in GiB.") var memoryGb: Double
        @Option(name: .long, help: "GPUs it offers.") var gpus: Int = 0
        @Option(name: .long, help: "FastProd (default) or DevTest.") var purpose: PurposeArgument = .fastProd
        @Option(name: .long, help: "A description.") var description: String = ""
        @Option(name: .long, help: "A tag KEY=VALUE; repeat for more.") var tag: [String] = []

        func validate() throws {
            guard self.cores > 0, self.cores.isFinite else { throw ValidationError("--cores must be positive") }
            guard self.memoryGb > 0, self.memoryGb.isFinite else { throw ValidationError("--memory-gb must be positive") }
            guard self.gpus >= 0 else { throw ValidationError("--gpus must not be negative") }
            _ = try Tags.parse(self.tag)
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let tags = try Tags.parse(self.tag)
            let compute = try await self.options.withClient {
                try await $0.attachCompute(
                    workspace: workspace, name: self.name, region: self.region, purpose: self.purpose.wire,
                    cpuCores: self.cores, memoryGB: self.memoryGb, gpus: self.gpus, description: self.description, tags: tags
                )
            }
            ComputeView(compute).print(Printer(format: self.options.output))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's compute targets.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let computes = try await self.options.withClient { try await $0.listComputes(workspace: workspace) }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "TYPE", "REGION", "PURPOSE", "CORES", "MEMORY GB", "GPUS", "REPLICAS"],
                rows: computes.map { compute in
                    [
                        compute.name, Printer.name(of: compute.type), compute.region, ComputeView.purpose(compute.purpose),
                        ComputeView.usage(compute.usedCpuCores, of: compute.cpuCores),
                        ComputeView.usage(compute.usedMemoryGb, of: compute.memoryGb),
                        "\(compute.usedGpus)/\(compute.gpus)", "\(compute.replicaCount)",
                    ]
                },
                json: computes.map { ComputeView($0).json }
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a compute target and what its replicas use.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The compute target's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let compute = try await self.options.withClient { try await $0.compute(workspace: workspace, name: self.name) }
            ComputeView(compute).print(Printer(format: self.options.output))
        }
    }

    struct Detach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Detach a compute target; refused while services run on it.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The compute target's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            try await self.options.withClient { try await $0.detachCompute(workspace: workspace, name: self.name) }
            Printer(format: self.options.output).printMessage(
                "detached compute target '\(self.name)'", json: ["detached": self.name])
        }
    }
}

/// `--purpose FastProd|DevTest`, as Azure spells them (any case, `_` allowed).
enum PurposeArgument: String, ExpressibleByArgument, CaseIterable {
    case fastProd = "FastProd"
    case devTest = "DevTest"

    init?(argument: String) {
        switch argument.lowercased().replacingOccurrences(of: "_", with: "") {
        case "fastprod": self = .fastProd
        case "devtest": self = .devTest
        default: return nil
        }
    }

    var wire: ClusterPurpose { self == .fastProd ? .fastProd : .devTest }
}

/// How a compute target is printed.
struct ComputeView {
    let compute: ComputeTarget
    init(_ compute: ComputeTarget) { self.compute = compute }

    var json: [String: Any] {
        [
            "workspace": self.compute.workspace, "name": self.compute.name, "type": Printer.name(of: self.compute.type),
            "region": self.compute.region, "purpose": Self.purpose(self.compute.purpose),
            "cpuCores": self.compute.cpuCores, "memoryGb": self.compute.memoryGb, "gpus": Int(self.compute.gpus),
            "usedCpuCores": self.compute.usedCpuCores, "usedMemoryGb": self.compute.usedMemoryGb,
            "usedGpus": Int(self.compute.usedGpus), "replicaCount": Int(self.compute.replicaCount),
            "description": self.compute.description, "tags": self.compute.tags,
            "createdAt": Printer.time(unixMs: self.compute.createdAtUnixMs), "createdBy": self.compute.createdBy,
        ]
    }

    func print(_ printer: Printer) {
        printer.printObject([
            "name": self.compute.name,
            "workspace": self.compute.workspace,
            "type": Printer.name(of: self.compute.type),
            "region": self.compute.region,
            "purpose": Self.purpose(self.compute.purpose),
            "cpuCores": Self.usage(self.compute.usedCpuCores, of: self.compute.cpuCores),
            "memoryGb": Self.usage(self.compute.usedMemoryGb, of: self.compute.memoryGb),
            "gpus": "\(self.compute.usedGpus)/\(self.compute.gpus)",
            "replicas": Int(self.compute.replicaCount),
            "description": self.compute.description,
            "tags": self.compute.tags,
            "createdAt": Printer.time(unixMs: self.compute.createdAtUnixMs),
            "createdBy": self.compute.createdBy,
        ])
    }

    static func purpose(_ purpose: ClusterPurpose) -> String {
        purpose == .devTest ? "DevTest" : "FastProd"
    }

    /// `used/total`, without a needless `.0`.
    static func usage(_ used: Double, of total: Double) -> String {
        "\(Self.number(used))/\(Self.number(total))"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }
}
