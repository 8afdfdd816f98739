@testable import ModelGateServer
import Testing

@Suite("ReplicaResultMeta")
struct ReplicaResultMetaTests {
    static func parse(_ json: String) throws -> ReplicaResultMeta {
        let bytes = Array(json.utf8)
        return try bytes.withUnsafeBytes { buffer in try ReplicaResultMeta(parsing: buffer) }
    }

    @Test("The harness's meta reads as JSONDecoder read it: status, headers, error, run_ms, timed_out")
    func readsTheHarnessMeta() throws {
        let meta = try Self.parse(
            #"{"status":500,"headers":{"Content-Type":"application/json","x-ms-run-fn-exec-ms":"0.002"},"#
                + #""error":"ValueError: bad \"input\"\n\u00fc\ud83d\ude00","run_ms":1.5e0,"timed_out":true}"#
        )
        #expect(meta.status == 500)
        #expect(meta.headers == ["Content-Type": "application/json", "x-ms-run-fn-exec-ms": "0.002"])
        #expect(meta.error == "ValueError: bad \"input\"\nü😀")
        #expect(meta.runMilliseconds == 1.5)
        #expect(meta.timedOut == true)
    }

    @Test("Nulls, missing keys and unknown keys of any type are fine; whitespace too")
    func skipsUnknownKeysAndAcceptsNulls() throws {
        let meta = try Self.parse(#" { "future": {"a": [1, 2.5, {"b": null}], "c": "d"}, "status" : 200 , "error": null, "headers": null, "run_ms": null, "flag": false } "#)
        #expect(meta.status == 200)
        #expect(meta.headers == nil && meta.error == nil && meta.runMilliseconds == nil && meta.timedOut == nil)
    }

    @Test("Malformed or mistyped metas are protocol errors", arguments: [
        "", "[]", "{", #"{"status":200"#, #"{"status":"200"}"#, #"{"status":200.5}"#, "{}",
        #"{"status":200,"headers":{"a":1}}"#, #"{"status":200,"timed_out":"yes"}"#, #"{"status":200} x"#,
        #"{"status":200,"error":"a\qb"}"#, #"{"status":200,"x":nul}"#,
    ])
    func refusesMalformedMetas(json: String) {
        #expect(throws: ReplicaProtocolError.self) { try Self.parse(json) }
    }
}
