internal import Foundation
internal import ModelGateAPI

/// What a chaos run saw, the figures issue 4 asks for, and whether each
/// invariant held.
struct ChaosReport: Sendable {
    /// When the outage started and ended, and what the control plane said during it.
    struct Timeline: Sendable {
        var downSent = ContinuousClock.now
        /// SetRegionAvailability(false) returned: from here every fetch must fail.
        var downAt = ContinuousClock.now
        /// SetRegionAvailability(true) was sent: "the region is back" is measured from here.
        var upSent = ContinuousClock.now
        var upAt = ContinuousClock.now
        /// GetWorkspace of the workspace in the downed region: its status.
        var affectedWorkspace = ""
        var affectedWorkspaceUnavailable = false
        var affectedWorkspaceTime: Duration = .zero
        /// GetWorkspace of the workspace in another region answered.
        var otherWorkspaceAnswered = false
    }

    /// One checked rule and its outcome.
    struct Invariant: Sendable {
        var name: String
        var held: Bool
        var detail: String
    }

    let configuration: ChaosScenario.Configuration
    let started: ContinuousClock.Instant
    let timeline: Timeline
    let scoring: [ChaosRecorder.Scoring]
    let tokens: [ChaosRecorder.TokenFetch]
    let services: [String]

    /// Token fetches that started once the region was down and ended before it was brought back.
    var outageFetches: [ChaosRecorder.TokenFetch] {
        self.tokens.filter { $0.start >= self.timeline.downAt && $0.end <= self.timeline.upSent }
    }

    /// The first token fetch that succeeded after the region was brought back, and how long after.
    var recovery: Duration? {
        self.tokens.filter { $0.code == nil && $0.end > self.timeline.upSent }
            .map { $0.end - self.timeline.upSent }
            .min()
    }

    /// Scoring requests of the token service made with the pre-outage token while the region was down.
    var preOutageTokenDuringOutage: (sent: Int, failed: Int) {
        let during = self.scoring.filter {
            $0.service == ChaosScenario.tokenService && $0.start >= self.timeline.downAt && $0.end <= self.timeline.upSent
        }
        return (during.count, during.filter { $0.failure != nil }.count)
    }

    var invariants: [Invariant] {
        var invariants: [Invariant] = []
        for service in self.services {
            let samples = self.scoring.filter { $0.service == service }
            let failed = samples.filter { $0.failure != nil }
            invariants.append(Invariant(
                name: "scoring '\(service)' never failed", held: !samples.isEmpty && failed.isEmpty,
                detail: failed.first?.failure ?? (samples.isEmpty ? "no requests were sent" : "")
            ))
        }
        let outage = self.outageFetches
        let wrong = outage.filter { $0.code != .unavailable || !$0.message.contains("'\(self.configuration.region)'") }
        invariants.append(Invariant(
            name: "every token fetch during the outage failed UNAVAILABLE naming the region",
            held: !outage.isEmpty && wrong.isEmpty,
            detail: outage.isEmpty ? "no token fetch fell inside the outage"
                : wrong.first.map { "\($0.code.map { "\($0)" } ?? "OK"): \($0.message)" } ?? ""
        ))
        let p99 = Self.percentile(0.99, of: outage.map(\.duration))
        invariants.append(Invariant(
            name: "failed token fetches p99 < \(Self.format(self.configuration.maxRefusal))",
            held: p99.map { $0 < self.configuration.maxRefusal } ?? false, detail: p99.map(Self.format) ?? "none"
        ))
        invariants.append(Invariant(
            name: "first token after the region came back < \(Self.format(self.configuration.maxRecovery))",
            held: self.recovery.map { $0 < self.configuration.maxRecovery } ?? false,
            detail: self.recovery.map(Self.format) ?? "no token was fetched after the region came back"
        ))
        let during = self.preOutageTokenDuringOutage
        invariants.append(Invariant(
            name: "the pre-outage token was accepted during the outage", held: during.sent > 0 && during.failed == 0,
            detail: "\(during.sent - during.failed) of \(during.sent) accepted"
        ))
        invariants.append(Invariant(
            name: "the workspace's control plane answered UNAVAILABLE fast, another region's answered",
            held: self.timeline.affectedWorkspaceUnavailable && self.timeline.affectedWorkspaceTime < self.configuration.maxRefusal
                && self.timeline.otherWorkspaceAnswered,
            detail: "\(self.timeline.affectedWorkspace) in \(Self.format(self.timeline.affectedWorkspaceTime)); other: \(self.timeline.otherWorkspaceAnswered ? "OK" : "failed")"
        ))
        return invariants
    }

    var passed: Bool { self.invariants.allSatisfy(\.held) }

    /// The report as printed.
    var text: String {
        let config = self.configuration
        var lines: [String] = []
        lines.append(
            "chaos: workspace '\(ChaosScenario.workspace)' in \(config.region), cluster in \(config.clusterRegion); "
                + "warm-up \(Self.format(config.warmup)), outage \(Self.format(config.outage)), recovery \(Self.format(config.recovery)); "
                + "\(config.scoringClients) scoring clients per service, \(config.tokenClients) token clients"
        )
        lines.append("")
        lines.append("scoring                 sent   failed   p50 before / during / after   p99 before / during / after")
        for service in self.services {
            let samples = self.scoring.filter { $0.service == service }
            let phases = self.phases(of: samples)
            let p50 = phases.map { Self.percentile(0.5, of: $0.map { $0.end - $0.start }).map(Self.format) ?? "-" }
            let p99 = phases.map { Self.percentile(0.99, of: $0.map { $0.end - $0.start }).map(Self.format) ?? "-" }
            lines.append(
                Self.pad(service, 20) + Self.pad("\(samples.count)", 8, left: true) + Self.pad("\(samples.filter { $0.failure != nil }.count)", 9, left: true)
                    + "   " + Self.pad(p50.joined(separator: " / "), 30) + p99.joined(separator: " / ")
            )
        }
        lines.append("")
        let outage = self.outageFetches
        let durations = outage.map(\.duration)
        let beforeOK = self.tokens.filter { $0.end <= self.timeline.downSent && $0.code == nil }
        let beforeP50 = Self.percentile(0.5, of: beforeOK.map(\.duration)).map(Self.format) ?? "-"
        lines.append(
            "token fetches           \(self.tokens.count) in all; \(beforeOK.count) succeeded before the outage, p50 \(beforeP50) "
                + "(cluster \(config.clusterRegion) -> workspace \(config.region) round trip included)"
        )
        lines.append(
            "  during the outage     \(outage.count) fetches, \(outage.filter { $0.code == .unavailable }.count) failed UNAVAILABLE; "
                + "time to fail p50 \(Self.percentile(0.5, of: durations).map(Self.format) ?? "-"), "
                + "p99 \(Self.percentile(0.99, of: durations).map(Self.format) ?? "-"), max \(durations.max().map(Self.format) ?? "-")"
        )
        if let sample = outage.first(where: { $0.code != nil }) {
            lines.append("  error                 \(sample.message)")
        }
        lines.append("  region back -> first token   \(self.recovery.map(Self.format) ?? "never")")
        let during = self.preOutageTokenDuringOutage
        lines.append(
            "pre-outage token        \(during.failed == 0 && during.sent > 0 ? "still accepted" : "NOT accepted") during the outage "
                + "(\(during.sent - during.failed) of \(during.sent) scoring requests)"
        )
        lines.append(
            "control plane           '\(ChaosScenario.workspace)': \(self.timeline.affectedWorkspace) in \(Self.format(self.timeline.affectedWorkspaceTime)); "
                + "'\(ChaosScenario.otherWorkspace)' (\(config.otherRegion)): \(self.timeline.otherWorkspaceAnswered ? "OK" : "FAILED")"
        )
        lines.append("")
        for invariant in self.invariants {
            let detail = invariant.detail.isEmpty ? "" : " (\(invariant.detail))"
            lines.append("\(invariant.held ? "PASS" : "FAIL")  \(invariant.name)\(detail)")
        }
        lines.append(self.passed ? "chaos: all invariants held" : "chaos: INVARIANTS FAILED")
        return lines.joined(separator: "\n")
    }

    /// Samples before the outage, during it, and after it.
    private func phases(of samples: [ChaosRecorder.Scoring]) -> [[ChaosRecorder.Scoring]] {
        [
            samples.filter { $0.end <= self.timeline.downSent },
            samples.filter { $0.start >= self.timeline.downAt && $0.end <= self.timeline.upSent },
            samples.filter { $0.start >= self.timeline.upAt },
        ]
    }

    /// The nearest-rank percentile.
    static func percentile(_ fraction: Double, of durations: [Duration]) -> Duration? {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if milliseconds >= 1000 { return String(format: "%.2f s", milliseconds / 1000) }
        return String(format: "%.1f ms", milliseconds)
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        guard text.count < width else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return left ? padding + text : text + padding
    }
}
