/// What ``EnvironmentCache/resolve(environment:workspace:progress:)`` reports
/// while it looks up or builds an environment, for a deployment's progress.
public enum EnvironmentProgress: Sendable, Hashable {
    /// A step: the cache lookup and its result, each build stage, warnings.
    case step(String)
    /// One line the build printed (`venv`, `pip install`, a build step).
    case output(String)
}
