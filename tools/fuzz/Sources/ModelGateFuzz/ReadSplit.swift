/// How the pipeline target cuts its input into socket reads, so that frames
/// split across reads (a header in one read, its payload in the next) are
/// exercised as well as many frames in one read.
struct ReadSplit {
    /// Bytes per read; `nil` delivers the whole input in one read.
    var chunkSize: Int?

    /// Bits 2-4 of the selector byte: 0 one read, then 1, 3, 10, 64, 512, 4096
    /// and 7 bytes per read.
    init(selector: UInt8) {
        let sizes: [Int?] = [nil, 1, 3, 10, 64, 512, 4096, 7]
        self.chunkSize = sizes[Int((selector >> 2) & 7)]
    }

    func chunks(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard let size = self.chunkSize, bytes.count > size else { return [bytes[...]] }
        return stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }
}
