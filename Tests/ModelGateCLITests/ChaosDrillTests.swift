import Foundation
import Testing

/// `modelgate chaos` (what `tools/chaos/run` runs), shortened to one second a
/// phase: the real binary starts its own server, takes a region down under
/// load and brings it back, and must report every invariant held.
@Suite("modelgate chaos", .timeLimit(.minutes(3)))
struct ChaosDrillTests {
    @Test("A short region-outage drill passes: no scoring failure, fast UNAVAILABLE token fetches, recovery under 1 s")
    func shortDrillPasses() throws {
        // When the drill runs with one second per phase
        let result = try ServerProcess.run(
            [
                "chaos", "--warmup", "1", "--outage", "1", "--recovery", "1", "--scoring-clients", "1", "--token-clients", "2",
                // Beside the whole test suite on two cores, timings are not the point here; `tools/chaos/run` checks them.
                "--max-refusal-ms", "1000", "--max-recovery-ms", "3000",
            ],
            environment: [:]
        )

        // Then it exits 0 and prints the figures the issue asks for, each invariant PASS
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("chaos: all invariants held"), "\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"), "\(result.stdout)")
        for figure in ["echo-key", "echo-token", "during the outage", "region back -> first token", "pre-outage token        still accepted"] {
            #expect(result.stdout.contains(figure), "missing '\(figure)' in:\n\(result.stdout)")
        }
    }

    @Test("A drill that cannot start its server exits 2 and says why")
    func drillWithoutServerFails() throws {
        let result = try ServerProcess.run(["chaos", "--server-binary", "/nonexistent/modelgate"], environment: [:])
        #expect(result.status == 2)
        #expect(result.stderr.contains("could not start the server"), "\(result.stderr)")
    }
}
