internal import Foundation
public import ModelGateAPI

/// The part of an environment that defines what gets built, normalised, and
/// its content hash: the key of the built-environment cache.
///
/// Two environments that would build the same thing hash the same, whatever
/// their names, versions, workspaces, descriptions or formatting: requirement
/// lines are trimmed, and blank lines and comments dropped (so a requirements
/// file of only comments means "no packages"); a conda file counts by what it
/// asks for (channels, packages, Python, pip section), not by its layout.
/// Environment variables are not part of it: they are set when a replica
/// starts, not built in.
public struct EnvironmentContent: Sendable, Hashable {
    /// The Python version asked for (`3.11`), from `python_version`, else from
    /// the conda file's `python=` pin; empty for the server's python3.
    public var pythonVersion: String
    /// True when ``pythonVersion`` came from `python_version` itself, which is
    /// a requirement; a conda file's pin is only a preference (Azure's curated
    /// conda files pin versions the server may not have).
    public var pythonVersionIsExplicit: Bool
    /// The pip requirement lines to install, in order.
    public var requirements: [String]
    /// Conda packages (other than python and pip) that the local backend does not install.
    public var condaPackages: [String]
    public var condaChannels: [String]
    public var baseImage: String
    public var buildSteps: [String]
    /// Lower-case hex SHA-256 over all of the above.
    public var contentHash: String

    /// Most requirement lines, build steps and their lengths.
    static let maxRequirements = 1000
    static let maxLineBytes = 4096
    static let maxBuildSteps = 100
    static let maxBuildStepBytes = 16 * 1024
    static let maxCondaYAMLBytes = 256 * 1024

    /// Normalises `environment`'s content and hashes it.
    ///
    /// - Throws: `INVALID_ARGUMENT` when both pip requirements and a conda file
    ///   are given, for a malformed Python version, or for content over the limits.
    public init(_ environment: Environment) throws(RPCError) {
        let givenRequirements = Self.normalize(environment.pipRequirements)
        let conda = environment.condaYaml.trimmingCharacters(in: .whitespacesAndNewlines)
        if !givenRequirements.isEmpty && !conda.isEmpty {
            throw RPCError(
                code: .invalidArgument,
                message: "give pip_requirements or conda_yaml, not both: a conda file lists its pip packages in its 'pip:' section"
            )
        }
        guard conda.utf8.count <= Self.maxCondaYAMLBytes else {
            throw RPCError(code: .invalidArgument, message: "conda_yaml is too long (max: \(Self.maxCondaYAMLBytes) bytes, actual: \(conda.utf8.count))")
        }
        let condaFile = CondaFile(parsing: conda)
        let requirements = conda.isEmpty ? givenRequirements : Self.normalize(condaFile.pipRequirements)
        guard requirements.count <= Self.maxRequirements else {
            throw RPCError(code: .invalidArgument, message: "too many requirement lines (max: \(Self.maxRequirements), actual: \(requirements.count))")
        }
        if let long = requirements.first(where: { $0.utf8.count > Self.maxLineBytes }) {
            throw RPCError(code: .invalidArgument, message: "requirement line '\(long.prefix(60))...' is longer than \(Self.maxLineBytes) bytes")
        }
        let steps = environment.buildSteps.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard steps.count <= Self.maxBuildSteps else {
            throw RPCError(code: .invalidArgument, message: "too many build steps (max: \(Self.maxBuildSteps), actual: \(steps.count))")
        }
        if steps.contains(where: { $0.utf8.count > Self.maxBuildStepBytes }) {
            throw RPCError(code: .invalidArgument, message: "a build step is longer than \(Self.maxBuildStepBytes) bytes")
        }
        let explicitVersion = environment.pythonVersion.trimmingCharacters(in: .whitespaces)
        if !explicitVersion.isEmpty {
            try Self.validatePythonVersion(explicitVersion)
        }
        let condaVersion = condaFile.pythonVersion.flatMap { (try? Self.validatePythonVersion($0)) == nil ? nil : $0 }

        self.pythonVersion = explicitVersion.isEmpty ? (condaVersion ?? "") : explicitVersion
        self.pythonVersionIsExplicit = !explicitVersion.isEmpty
        self.requirements = requirements
        self.condaPackages = condaFile.condaPackages
        self.condaChannels = condaFile.channels
        self.baseImage = environment.baseImage.trimmingCharacters(in: .whitespaces)
        self.buildSteps = steps
        self.contentHash = Self.hash(
            python: self.pythonVersion, explicit: self.pythonVersionIsExplicit, requirements: requirements,
            condaPackages: self.condaPackages, channels: self.condaChannels, baseImage: self.baseImage, steps: steps
        )
    }

    /// True when something must be built: packages to install or steps to run.
    /// Otherwise the server's own python3 runs the scoring code.
    public var needsBuild: Bool { !self.requirements.isEmpty || !self.buildSteps.isEmpty }

    /// Requirement lines without blanks, comments and trailing comments; continuation
    /// lines (ending in `\`) joined, as pip reads a requirements file.
    static func normalize(_ lines: [String]) -> [String] {
        var result: [String] = []
        var pending = ""
        for raw in lines.flatMap({ $0.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) }) {
            var line = String(raw)
            // pip drops a '#' comment that starts the line or follows whitespace.
            if line.hasPrefix("#") {
                line = ""
            } else if let range = line.range(of: #"\s#"#, options: .regularExpression) {
                line = String(line[..<range.lowerBound])
            }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()).trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            let joined = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            if !joined.isEmpty { result.append(joined) }
        }
        let rest = pending.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { result.append(rest) }
        return result
    }

    /// `3`, `3.11` or `3.11.4`.
    static func validatePythonVersion(_ version: String) throws(RPCError) {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw RPCError(code: .invalidArgument, message: "python_version '\(version.prefix(40))' is not a version such as 3.11")
        }
    }

    private static func hash(
        python: String, explicit: Bool, requirements: [String], condaPackages: [String], channels: [String],
        baseImage: String, steps: [String]
    ) -> String {
        // Length-prefixed fields, so no choice of content can imitate another.
        var bytes: [UInt8] = Array("modelgate-environment-v1\n".utf8)
        func add(_ label: String, _ values: [String]) {
            bytes += Array("\(label) \(values.count)\n".utf8)
            for value in values {
                bytes += Array("\(value.utf8.count):".utf8) + Array(value.utf8) + [0x0A]
            }
        }
        add("python", [python, explicit ? "explicit" : "preferred"])
        add("pip", requirements)
        add("conda", condaPackages)
        add("channels", channels)
        add("base_image", [baseImage])
        add("build_steps", steps)
        return StreamingSHA256.hex(SHA256.hash(bytes))
    }
}
