internal import Foundation
internal import NIOCore

/// The first frame a replica sends once it has connected: READY after a
/// successful `init()`, INIT_FAILED when the script could not be imported or
/// `init()` raised.
enum ReplicaHello: Sendable {
    /// `init()` succeeded; the replica serves requests.
    case ready(Ready)
    /// The script failed to load; the replica exits with code 3 after sending this.
    case initFailed(error: String, traceback: String)

    /// The READY frame's facts (see the runtime's `PROTOCOL.md`).
    struct Ready: Sendable, Decodable {
        var replicaID: String
        var pid: Int32
        var python: String
        var initMilliseconds: Double
        /// How `run()` takes its input: `raw_data`, `schema` or `rawhttp`.
        var runInput: String?

        enum CodingKeys: String, CodingKey {
            case replicaID = "replica_id", pid, python, initMilliseconds = "init_ms", runInput = "run_input"
        }
    }

    private struct Failure: Decodable {
        var error: String
        var traceback: String?
    }

    /// Decodes a READY or INIT_FAILED frame.
    ///
    /// - Throws: ``ReplicaProtocolError`` for another frame type or malformed JSON.
    init(frame: ReplicaFrame) throws {
        let data = frame.payload.withUnsafeReadableBytes { Data($0) }
        do {
            switch frame.type {
            case .ready:
                self = .ready(try JSONDecoder().decode(Ready.self, from: data))
            case .initFailed:
                let failure = try JSONDecoder().decode(Failure.self, from: data)
                self = .initFailed(error: failure.error, traceback: failure.traceback ?? "")
            default:
                throw ReplicaProtocolError("expected READY or INIT_FAILED first, got \(frame.type)")
            }
        } catch let error as ReplicaProtocolError {
            throw error
        } catch {
            throw ReplicaProtocolError("\(frame.type) payload is not the expected JSON object: \(error)")
        }
    }
}
