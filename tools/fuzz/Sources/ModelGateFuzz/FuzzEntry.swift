// The libFuzzer entry points. libFuzzer provides main(); this module is built
// with -parse-as-library and has no @main.
//
// The first input byte picks what the rest of the input drives:
//
//   byte0 & 3 == 0   FrameHeader.parse with two limits          (FrameHeaderTarget)
//   byte0 & 3 == 1   decode as one ModelGateSchema message type, (MessageRoundTripTarget)
//                    picked by byte1, then re-encode and compare
//   byte0 & 3 == 2   the server's connection pipeline, after a   (ServerPipelineTarget)
//                    valid preface
//   byte0 & 3 == 3   the same pipeline, raw bytes (preface included or not)
//
// For the pipeline, bits 2-4 of byte0 pick how the bytes are split into reads.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one input. Any trap (a failed check here, an ASan report, a Swift
/// runtime trap in the code under test) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let selector = input[0]
    let rest = Array(input.dropFirst())
    switch selector & 3 {
    case 0:
        FrameHeaderTarget.run(rest)
    case 1:
        MessageRoundTripTarget.run(rest)
    case 2:
        ServerPipelineTarget.run(rest, prependPreface: true, split: ReadSplit(selector: selector))
    default:
        ServerPipelineTarget.run(rest, prependPreface: false, split: ReadSplit(selector: selector))
    }
    return 0
}

/// Writes the seed corpus and exits when `MODELGATE_FUZZ_WRITE_SEEDS` names a
/// directory; libFuzzer calls this once before fuzzing, so `tools/fuzz/run`
/// gets seeds made by the real encoders without a second executable.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    if let directory = getenv("MODELGATE_FUZZ_WRITE_SEEDS").map({ String(cString: $0) }) {
        let count = SeedCorpus.write(to: directory)
        print("wrote \(count) seed inputs to \(directory)")
        exit(0)
    }
    return 0
}
