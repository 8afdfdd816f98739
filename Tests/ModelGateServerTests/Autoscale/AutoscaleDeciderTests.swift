@testable import ModelGateServer
import Testing

/// The autoscaler's decision, sample by sample, with no processes and a made-up clock.
@Suite("Autoscaler decision")
struct AutoscaleDeciderTests {
    static let start = ContinuousClock.now

    static func policy(min: Int = 1, max: Int = 10, target: Int = 70, up: Duration = .zero, down: Duration = .seconds(60)) -> AutoscalePolicy {
        AutoscalePolicy(minReplicas: min, maxReplicas: max, targetUtilizationPercent: target, scaleUpDelay: up, scaleDownDelay: down)
    }

    static func load(_ replicas: Int, busy: Int, queued: Int = 0) -> AutoscaleLoad {
        AutoscaleLoad(desiredReplicas: replicas, readyReplicas: replicas, busyReplicas: busy, queuedRequests: queued)
    }

    @Test("Scales up on the first sample above the target, counting the queue")
    func scalesUpOnFirstSampleAbove() {
        // Given one busy replica with 5 requests waiting
        var decider = AutoscaleDecider(policy: Self.policy())
        // When it samples once
        let decision = decider.decide(Self.load(1, busy: 1, queued: 5), now: Self.start)
        // Then it wants ceil(6 / 0.7) = 9 replicas at once
        #expect(decision.replicas == 9)
        #expect(decision.utilization == 6)
    }

    @Test("A scale-up never passes autoscale_max_replicas")
    func scaleUpIsCappedAtMax() {
        var decider = AutoscaleDecider(policy: Self.policy(max: 4))
        #expect(decider.decide(Self.load(2, busy: 2, queued: 30), now: Self.start).replicas == 4)
    }

    @Test("At exactly the target nothing changes")
    func atTargetHolds() {
        var decider = AutoscaleDecider(policy: Self.policy(target: 50))
        #expect(decider.decide(Self.load(4, busy: 2), now: Self.start).replicas == 4)
        #expect(decider.decide(Self.load(4, busy: 2), now: Self.start + .seconds(600)).replicas == 4)
    }

    @Test("With a scale-up delay, utilisation must stay above the target that long")
    func scaleUpDelayWaits() {
        var decider = AutoscaleDecider(policy: Self.policy(up: .seconds(2)))
        #expect(decider.decide(Self.load(1, busy: 1, queued: 1), now: Self.start).replicas == 1)
        #expect(decider.decide(Self.load(1, busy: 1, queued: 1), now: Self.start + .seconds(1)).replicas == 1)
        #expect(decider.decide(Self.load(1, busy: 1, queued: 1), now: Self.start + .seconds(2)).replicas == 3)
    }

    @Test("Scales down only after the cool-down of samples all below the target")
    func scalesDownAfterCoolDown() {
        // Given 4 replicas, 1 busy (25 %), a 60 s cool-down
        var decider = AutoscaleDecider(policy: Self.policy())
        let low = Self.load(4, busy: 1)
        #expect(decider.decide(low, now: Self.start).replicas == 4)
        #expect(decider.decide(low, now: Self.start + .seconds(59)).replicas == 4)
        // Then after 60 s it goes to ceil(1 / 0.7) = 2
        #expect(decider.decide(low, now: Self.start + .seconds(60)).replicas == 2)
    }

    @Test("A sample above the target restarts the cool-down")
    func sampleAboveRestartsCoolDown() {
        var decider = AutoscaleDecider(policy: Self.policy(max: 4))
        #expect(decider.decide(Self.load(4, busy: 1), now: Self.start).replicas == 4)
        #expect(decider.decide(Self.load(4, busy: 4), now: Self.start + .seconds(30)).replicas == 4)
        #expect(decider.decide(Self.load(4, busy: 1), now: Self.start + .seconds(31)).replicas == 4)
        #expect(decider.decide(Self.load(4, busy: 1), now: Self.start + .seconds(70)).replicas == 4)
        #expect(decider.decide(Self.load(4, busy: 1), now: Self.start + .seconds(91)).replicas == 2)
    }

    @Test("A change of the count by someone else (a cold start) restarts the cool-down")
    func outsideChangeRestartsCoolDown() {
        var decider = AutoscaleDecider(policy: Self.policy(min: 0, down: .seconds(10)))
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start).replicas == 1)
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start + .seconds(10)).replicas == 0)
        // A request woke the pool: it has 1 replica again
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start + .seconds(11)).replicas == 1)
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start + .seconds(20)).replicas == 1)
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start + .seconds(21)).replicas == 0)
    }

    @Test("With autoscale_min_replicas 0 an idle pool goes to zero, and requests waiting at zero ask for one")
    func scalesToZeroAndBack() {
        var decider = AutoscaleDecider(policy: Self.policy(min: 0, down: .seconds(5)))
        #expect(decider.decide(Self.load(2, busy: 0), now: Self.start).replicas == 2)
        #expect(decider.decide(Self.load(2, busy: 0), now: Self.start + .seconds(5)).replicas == 0)
        let waiting = decider.decide(Self.load(0, busy: 0, queued: 1), now: Self.start + .seconds(6))
        #expect(waiting.replicas == 2)
        #expect(waiting.utilization == .infinity)
    }

    @Test("A pool below its minimum is raised to it")
    func belowMinimumIsRaised() {
        var decider = AutoscaleDecider(policy: Self.policy(min: 3))
        #expect(decider.decide(Self.load(1, busy: 0), now: Self.start).replicas == 3)
    }

    @Test("Replicas wanted, in integers", arguments: [
        (0, 70, 0), (1, 70, 2), (7, 70, 10), (70, 70, 100), (3, 100, 3), (1, 1, 100),
    ])
    func replicasWanted(demand: Int, target: Int, expected: Int) {
        #expect(Self.policy(min: 0, max: 1_000, target: target).replicasWanted(demand: demand) == expected)
    }
}

@Suite("Replica sizing formula")
struct ReplicaSizingTests {
    @Test("ceil(rps × time / utilisation / concurrency), with the percentage or the fraction", arguments: [
        (100.0, 0.1, 70.0, 1, 15), (100.0, 0.1, 0.7, 1, 15), (10.0, 0.7, 0.7, 1, 10), (100.0, 0.1, 70.0, 4, 4), (0.0, 1.0, 70.0, 1, 1),
    ])
    func formula(rps: Double, seconds: Double, utilization: Double, concurrency: Int, expected: Int) throws {
        let sizing = try ReplicaSizing(
            targetRequestsPerSecond: rps, requestSeconds: seconds, targetUtilization: utilization, maxRequestsPerReplica: concurrency
        )
        #expect(sizing.replicas == expected)
        #expect(sizing.explanation.hasSuffix("= \(expected)"))
    }

    @Test("Bad values are refused with a message naming them", arguments: [
        (-1.0, 0.1, 70.0, 1, "requests per second"), (10.0, 0, 70.0, 1, "request time"), (10.0, 0.1, 0, 1, "utilisation"),
        (10.0, 0.1, 170.0, 1, "utilisation"), (10.0, 0.1, 70.0, 0, "concurrent"),
    ])
    func badValues(rps: Double, seconds: Double, utilization: Double, concurrency: Int, mentions: String) {
        #expect {
            try ReplicaSizing(targetRequestsPerSecond: rps, requestSeconds: seconds, targetUtilization: utilization, maxRequestsPerReplica: concurrency)
        } throws: { error in
            (error as? ReplicaSizingError)?.description.contains(mentions) == true
        }
    }
}
