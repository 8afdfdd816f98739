import ModelGateWire

/// Drives ``FrameHeader/parse(_:maxPayload:)``.
///
/// Checks, for every input: parsing never traps; a header that parses
/// respects the limit it was parsed with, validates again, and writes back the
/// exact ten bytes it was read from.
enum FrameHeaderTarget {
    /// The server's default frame limit and a tiny one, so both sides of the
    /// length check are reached.
    static let limits: [UInt32] = [4 * 1024 * 1024, 16]

    static func run(_ bytes: [UInt8]) {
        for limit in Self.limits {
            guard let header = try? FrameHeader.parse(bytes, maxPayload: limit) else { continue }
            guard header.length <= limit else {
                fatalError("FrameHeader.parse accepted length \(header.length) over the limit \(limit)")
            }
            do {
                try header.validate(maxPayload: limit)
            } catch {
                fatalError("FrameHeader.parse accepted a header that validate rejects: \(error)")
            }
            var written: [UInt8] = []
            header.write(to: &written)
            guard written == Array(bytes.prefix(FrameHeader.size)) else {
                fatalError("FrameHeader.write gave \(written), parsed from \(Array(bytes.prefix(FrameHeader.size)))")
            }
        }
    }
}
