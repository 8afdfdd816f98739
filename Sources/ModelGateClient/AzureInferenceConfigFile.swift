public import Foundation
public import ModelGateAPI

/// Azure ML's `inferenceconfig.json` (the `-ic` file of `az ml model deploy`),
/// read into an ``InferenceConfig`` and the folder to pack.
///
/// The keys are the ones Azure's CLI reads into `InferenceConfig`:
/// `entryScript`, `sourceDirectory`, `runtime`, `description`, and either an
/// `environment` (Azure's serialised `Environment`) or the older
/// `condaFile`, `extraDockerfileSteps` and `baseImage`. From an
/// `environment` it takes `name`, `version`, `environmentVariables`,
/// `python.condaDependencies` (turned into a conda YAML, whose `pip` section
/// the server installs), `python.condaDependenciesFile`,
/// `python.userManagedDependencies` (nothing is installed) and
/// `docker.baseImage`. An `environment` with only a `name` (and a `version`)
/// names a registered environment instead of describing one.
///
/// Paths follow Azure: `sourceDirectory` is relative to the config file's
/// folder; `entryScript`, `condaFile`, `extraDockerfileSteps` and
/// `python.condaDependenciesFile` are relative to the source directory.
/// Without a `sourceDirectory`, the entry script (relative to the config
/// file's folder) is deployed alone, as Azure uploads only it.
///
/// Unknown keys, and known ones ModelGate cannot honour (`enableGpu`,
/// `cudaVersion`, a `baseDockerfile`), are ignored with a warning; a key with
/// the wrong type is an error naming the file and the key.
public struct AzureInferenceConfigFile: Sendable {
    /// The file, as given.
    public var path: String
    /// The config without its archive (see ``pack(maxBytes:)``).
    public var config: InferenceConfig
    /// The folder to pack, absolute.
    public var sourceDirectory: String
    /// When the file names no source directory: the only file to pack (the entry script).
    public var packOnly: [String]?
    /// Keys that were ignored, one line each, to show on stderr.
    public var warnings: [String]

    /// The `Environment` keys Azure writes that mean nothing to local replicas;
    /// read without a warning.
    static let ignoredEnvironmentKeys = [
        "inferencingStackVersion", "spark", "databricks", "assetId", "r", "azureml.assetId", "_python_interpreter_path",
    ]

    /// Reads a file.
    ///
    /// - Throws: ``ConfigFileError`` naming the file (and the key) when it
    ///   cannot be read, is not JSON, holds a value of the wrong type, or names
    ///   a source directory or entry script that does not exist.
    public static func read(path: String) throws -> AzureInferenceConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(message: "\(path): cannot read the inference config file")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try AzureInferenceConfigFile(data: data, path: path, baseDirectory: folder)
    }

    /// Reads a document.
    ///
    /// - Parameters:
    ///   - path: the file's name for messages.
    ///   - baseDirectory: the config file's folder, where `sourceDirectory` starts.
    public init(data: Data, path: String, baseDirectory: String) throws {
        let top = try ConfigObjectReader.document(JSONValue.parse(data, file: path), file: path)
        var readers = [top]
        var warnings: [String] = []
        var config = InferenceConfig()

        guard let entry = try top.string("entryScript"), !entry.isEmpty else {
            throw ConfigFileError(message: "\(path): entryScript is required (the scoring script, such as \"score.py\")")
        }
        config.runtime = try top.string("runtime") ?? ""
        config.description = try top.string("description") ?? ""

        // Where the files are.
        let base = URL(fileURLWithPath: baseDirectory).standardizedFileURL.path
        if let source = try top.string("sourceDirectory"), !source.isEmpty {
            let directory = Self.resolve(source, against: base)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigFileError(message: "\(path): sourceDirectory '\(source)' is not a folder (looked at \(directory))")
            }
            let script = Self.resolve(entry, against: directory)
            guard script.hasPrefix(directory + "/") else {
                throw ConfigFileError(message: "\(path): entryScript '\(entry)' is outside sourceDirectory '\(source)'")
            }
            guard FileManager.default.fileExists(atPath: script) else {
                throw ConfigFileError(message: "\(path): entryScript '\(entry)' is not in sourceDirectory '\(source)' (looked at \(script))")
            }
            self.sourceDirectory = directory
            self.packOnly = nil
            config.entryScript = String(script.dropFirst(directory.count + 1))
        } else {
            let script = Self.resolve(entry, against: base)
            guard FileManager.default.fileExists(atPath: script) else {
                throw ConfigFileError(message: "\(path): entryScript '\(entry)' does not exist (looked at \(script))")
            }
            let url = URL(fileURLWithPath: script)
            self.sourceDirectory = url.deletingLastPathComponent().path
            self.packOnly = [url.lastPathComponent]
            config.entryScript = url.lastPathComponent
        }
        config.sourceDirectory = self.sourceDirectory
        let sourceDirectory = self.sourceDirectory

        // What it runs in.
        let legacyKeys = ["condaFile", "extraDockerfileSteps", "extraDockerFileSteps", "baseImage", "baseImageRegistry", "enableGpu", "cudaVersion"]
        if let environment = try top.object("environment") {
            readers.append(environment)
            for key in legacyKeys where top.has(key) {
                _ = top.value(key)
                warnings.append("\(path): '\(key)' is ignored because an environment is given (as Azure ignores it)")
            }
            let (registered, inline) = try Self.readEnvironment(environment, sourceDirectory: sourceDirectory, readers: &readers, warnings: &warnings)
            if let registered {
                config.environmentName = registered.name
                config.environmentVersion = registered.version
            } else {
                config.environment = inline
            }
        } else {
            var inline = Environment()
            if let condaFile = try top.string("condaFile") {
                inline.condaYaml = try Self.readFile(condaFile, key: "condaFile", reader: top, directory: sourceDirectory)
            }
            for key in ["extraDockerfileSteps", "extraDockerFileSteps"] {
                if let stepsFile = try top.string(key) {
                    let text = try Self.readFile(stepsFile, key: key, reader: top, directory: sourceDirectory)
                    inline.buildSteps += Self.buildSteps(fromDockerSteps: text, file: path, key: key, warnings: &warnings)
                }
            }
            inline.baseImage = try top.string("baseImage") ?? ""
            if try top.string("baseImageRegistry") != nil {
                warnings.append("\(path): baseImageRegistry is not used by local replicas; ignored")
            }
            if try top.bool("enableGpu") == true {
                warnings.append("\(path): enableGpu is not supported; ignored (request GPUs with gpuCores in the deployment config)")
            }
            if try top.string("cudaVersion") != nil {
                warnings.append("\(path): cudaVersion is not supported; ignored")
            }
            config.environment = inline
        }

        self.path = path
        self.config = config
        self.warnings = warnings + readers.flatMap { $0.unknownKeyWarnings() }
    }

    /// Packs the source directory (honouring its `.amlignore`, else `.gitignore`).
    ///
    /// - Returns: ``config`` with ``InferenceConfig/sourceArchive`` set.
    /// - Throws: ``SourceArchiveError``.
    public func pack(maxBytes: Int = SourceArchive.defaultMaxBytes) throws -> (config: InferenceConfig, archive: SourceArchive) {
        let archive = try SourceArchive.pack(directory: self.sourceDirectory, only: self.packOnly, maxBytes: maxBytes)
        var config = self.config
        config.sourceArchive = archive.bytes
        return (config, archive)
    }

    // MARK: Environment

    /// An `environment` object: a registered environment's name and version,
    /// or an inline environment.
    private static func readEnvironment(
        _ reader: ConfigObjectReader, sourceDirectory: String, readers: inout [ConfigObjectReader], warnings: inout [String]
    ) throws -> (registered: (name: String, version: Int32)?, inline: Environment) {
        let name = try reader.string("name") ?? ""
        var version: Int32 = 0
        if let value = reader.value("version") {
            switch value {
            case .string(let text) where Int32(text) != nil: version = Int32(text) ?? 0
            case .number(let number) where number == number.rounded() && number >= 0 && number <= Double(Int32.max): version = Int32(number)
            default: throw reader.wrongType("version", "a version number such as \"1\"", value)
            }
        }
        let describing = ["python", "docker", "environmentVariables"].contains { reader.has($0) }
        for key in Self.ignoredEnvironmentKeys { _ = reader.value(key) }
        if !describing && !name.isEmpty {
            return ((name, version), Environment())
        }

        var environment = Environment()
        environment.name = name
        environment.environmentVariables = try reader.stringMap("environmentVariables") ?? [:]
        if let python = try reader.object("python") {
            readers.append(python)
            let userManaged = try python.bool("userManagedDependencies") ?? false
            python.ignore("interpreterPath", "baseCondaEnvironment")
            let condaFile = try python.string("condaDependenciesFile")
            let conda = try python.object("condaDependencies")
            if let conda { readers.append(conda) }
            if userManaged {
                // Azure runs the given interpreter as it is; locally that is the server's python3.
                if conda != nil || condaFile != nil {
                    warnings.append("\(reader.file): \(python.path("userManagedDependencies")) is true, so no packages are installed")
                }
            } else if let conda {
                environment.condaYaml = try Self.condaYAML(conda)
            } else if let condaFile {
                environment.condaYaml = try Self.readFile(condaFile, key: "condaDependenciesFile", reader: python, directory: sourceDirectory)
            }
        }
        if let docker = try reader.object("docker") {
            readers.append(docker)
            environment.baseImage = try docker.string("baseImage") ?? ""
            if try docker.string("baseDockerfile") != nil {
                warnings.append("\(reader.file): \(docker.path("baseDockerfile")) is not used by local replicas; ignored")
            }
            docker.ignore(
                "enabled", "baseImageRegistry", "arguments", "sharedVolumes", "shmSize", "gpuSupport", "buildContext", "platform")
        }
        return (nil, environment)
    }

    /// Azure's `condaDependencies` object as the conda YAML it stands for.
    ///
    /// ```json
    /// {"name": "env", "channels": ["conda-forge"], "dependencies": ["python=3.11", {"pip": ["numpy"]}]}
    /// ```
    static func condaYAML(_ conda: ConfigObjectReader) throws -> String {
        var lines: [String] = []
        if let name = try conda.string("name") { lines.append("name: \(Self.yamlScalar(name))") }
        if let channels = try conda.array("channels") {
            lines.append("channels:")
            for channel in channels {
                guard case .string(let text) = channel else { throw conda.wrongType("channels", "an array of strings", channel) }
                lines.append("  - \(Self.yamlScalar(text))")
            }
        }
        if let dependencies = try conda.array("dependencies") {
            lines.append("dependencies:")
            for dependency in dependencies {
                switch dependency {
                case .string(let text):
                    lines.append("  - \(Self.yamlScalar(text))")
                case .object(let object) where object.count == 1 && object["pip"] != nil:
                    guard case .array(let packages)? = object["pip"] else {
                        throw conda.wrongType("dependencies", "strings and a {\"pip\": [...]} list", dependency)
                    }
                    lines.append("  - pip:")
                    for package in packages {
                        guard case .string(let text) = package else {
                            throw ConfigFileError(message: "\(conda.file): \(conda.path("dependencies")) pip entries must be strings, got \(package.summary)")
                        }
                        lines.append("    - \(Self.yamlScalar(text))")
                    }
                default:
                    throw conda.wrongType("dependencies", "strings and a {\"pip\": [...]} list", dependency)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML scalar: as it is when plain YAML reads it back unchanged, else double-quoted.
    static func yamlScalar(_ text: String) -> String {
        let special: Set<Character> = ["#", ":", "'", "\"", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`"]
        let plain = !text.isEmpty && !text.contains(where: { special.contains($0) || $0.isNewline })
            && text.first != "-" && text.first != "?" && text.first != " " && text.last != " "
        if plain { return text }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }

    // MARK: Files

    /// `RUN` lines of a Dockerfile fragment as shell build steps; other instructions are reported and skipped.
    static func buildSteps(fromDockerSteps text: String, file: String, key: String, warnings: inout [String]) -> [String] {
        var steps: [String] = []
        var skipped = 0
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.uppercased().hasPrefix("RUN ") {
                steps.append(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
            } else {
                skipped += 1
            }
        }
        if skipped > 0 {
            warnings.append("\(file): \(key): only RUN steps are run in the environment; \(skipped) other line(s) ignored")
        }
        return steps
    }

    private static func readFile(_ name: String, key: String, reader: ConfigObjectReader, directory: String) throws -> String {
        let resolved = Self.resolve(name, against: directory)
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw ConfigFileError(message: "\(reader.file): \(reader.path(key)) names '\(name)', which cannot be read (looked at \(resolved))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// An absolute, standardised path: `path` as it is if absolute, else below `base`.
    static func resolve(_ path: String, against base: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        var resolved = url.standardizedFileURL.path
        while resolved.count > 1 && resolved.hasSuffix("/") { resolved.removeLast() }
        return resolved
    }
}
