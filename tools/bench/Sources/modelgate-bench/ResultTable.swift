/// The benchmark's output: one line per scenario with both figures and their
/// ratio, the unary latencies, and the idle-connection memory.
struct ResultTable {
    let rows: [Benchmark.Row]
    let codec: CodecScenario.Result?
    let idle: IdleConnectionProbe.Result?
    let options: BenchOptions

    func render() -> String {
        var lines: [String] = []
        lines.append("")
        lines.append(
            "ModelGate RPC vs raw frames on loopback: \(self.options.payload)-byte bodies, \(Self.seconds(self.options.seconds)) s per scenario, "
                + "one connection, server and client on one event loop each"
        )
        lines.append("")
        let header = ["scenario", "ModelGate", "raw frames", "ratio"]
        var table: [[String]] = []
        for row in self.rows {
            var ratioText = ""
            if let ours = row.modelGate, let theirs = row.raw, theirs.perSecond > 0 {
                let ratio = ours.perSecond / theirs.perSecond
                ratioText = "\(Int((ratio * 100).rounded())) %"
                if let goal = row.goal {
                    ratioText += ratio >= goal ? " (goal ≥ \(Int(goal * 100)) %: met)" : " (goal ≥ \(Int(goal * 100)) %: NOT met)"
                }
            }
            table.append([
                row.scenario,
                row.modelGate.map { "\(Self.grouped(Int($0.perSecond.rounded()))) \(row.unit)" } ?? "-",
                row.raw.map { "\(Self.grouped(Int($0.perSecond.rounded()))) \(row.unit)" } ?? "-",
                ratioText,
            ])
        }
        for row in self.rows where row.unit == "calls/s" {
            table.append([
                "  latency p50 / p99, " + row.scenario.dropFirst("unary, ".count),
                row.modelGate?.latency?.formatted ?? "-",
                row.raw?.latency?.formatted ?? "-",
                "",
            ])
        }
        lines += Self.align([header] + table)
        lines.append("")
        if let codec = self.codec {
            lines.append(
                "codec: the \(codec.bytes)-byte ScoreRequest encodes in \(Int(codec.encodeNanoseconds.rounded())) ns "
                    + "and decodes in \(Int(codec.decodeNanoseconds.rounded())) ns (one thread; each round trip above does two of each)"
            )
        }
        if let idle = self.idle {
            let perConnection = idle.bytesPerConnection / 1024
            let verdict = perConnection <= 16 ? "met" : "NOT met"
            lines.append(
                "idle connection: \(Self.oneDecimal(perConnection)) KiB of server RSS each "
                    + "(\(Self.grouped(idle.connections)) connections after the handshake, server in a child process; goal ≤ 16 KiB: \(verdict))"
            )
            lines.append(
                "after closing: \(Self.oneDecimal(idle.retainedPerClosedConnection / 1024)) KiB of server RSS kept per closed connection "
                    + "(growth over \(idle.rounds - 1) more rounds of \(Self.grouped(idle.connections)) opened and closed; ~0 when nothing leaks)"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func align(_ rows: [[String]]) -> [String] {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                // Numbers right-aligned, the scenario name left-aligned.
                column == 0 || column == row.count - 1
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "   ").trimmingTrailingSpaces()
        }
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\(value)"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
