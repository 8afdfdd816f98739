/// A chaos run that could not be set up or carried out (not a failed invariant:
/// those are reported by ``ChaosReport``).
struct ChaosError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
