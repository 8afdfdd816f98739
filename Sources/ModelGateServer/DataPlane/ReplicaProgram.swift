/// What a service's replicas run: the user's entry script in its environment.
///
/// The ``DeploymentController`` fills this in from the inference config: the unpacked
/// source directory, the model files, and the environment's interpreter.
struct ReplicaProgram: Sendable, Hashable {
    /// The Python interpreter of the service's environment: a path, or a name
    /// looked up on `PATH` (`python3`).
    var pythonExecutable: String
    /// `score.py`: relative to ``sourceDirectory``, or absolute.
    var entryScript: String
    /// The unpacked source directory; the replica's working directory.
    var sourceDirectory: String
    /// The model files; becomes `AZUREML_MODEL_DIR`.
    var modelDirectory: String
    /// Extra environment variables, on top of the server's own.
    var environment: [String: String]

    init(
        pythonExecutable: String = "python3", entryScript: String, sourceDirectory: String, modelDirectory: String,
        environment: [String: String] = [:]
    ) {
        self.pythonExecutable = pythonExecutable
        self.entryScript = entryScript
        self.sourceDirectory = sourceDirectory
        self.modelDirectory = modelDirectory
        self.environment = environment
    }
}
