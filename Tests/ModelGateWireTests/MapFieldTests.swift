import ModelGateWire
import Testing

@Suite("map<string, string> fields")
struct MapFieldTests {
    @Test("Map entries are written sorted by key, each with its key and value")
    func entriesAreSortedByKey() {
        // Given keys inserted in no particular order
        var message = Composite()
        message.labels = ["b": "2", "a": "1", "c": "3"]

        // When
        let hex = Hex.string(message.encoded())

        // Then
        #expect(hex == Hex.string(Hex.bytes("22 06 0a0161 120131  22 06 0a0162 120132  22 06 0a0163 120133")))
    }

    @Test("Map keys sort by their UTF-8 bytes, as the official deterministic encoders do")
    func keysSortByUTF8Bytes() {
        // Given "e" + combining acute (65 cc 81), "f" (66) and "Z" (5a): byte order is Z, e\u{301}, f,
        // whereas Swift's String ordering compares the NFC form (U+00E9) and would put it after "f".
        var message = Composite()
        message.labels = ["f": "", "e\u{301}": "", "Z": ""]

        // When
        let bytes = message.encoded()

        // Then
        #expect(Hex.string(bytes) == Hex.string(Hex.bytes("22 05 0a015a 1200  22 07 0a0365cc81 1200  22 05 0a0166 1200")))
    }

    @Test("Empty keys and values are still written inside an entry, as the official encoders do")
    func emptyKeyAndValueAreWritten() {
        var message = Composite()
        message.labels = ["": "", "a": ""]
        #expect(Hex.string(message.encoded()) == Hex.string(Hex.bytes("22 04 0a00 1200  22 05 0a0161 1200")))
    }

    @Test("An entry missing its key or value decodes with the empty string", arguments: [
        ("missing key", "22 03 120178", "", "x"),
        ("missing value", "22 03 0a0178", "x", ""),
        ("missing both", "22 00", "", ""),
        ("value before key", "22 06 120179 0a0178", "x", "y"),
    ])
    func entryWithMissingPartsDecodes(label: String, hex: String, key: String, value: String) throws {
        let decoded = try Composite(decoding: Hex.bytes(hex))
        #expect(decoded.labels == [key: value], "\(label)")
    }

    @Test("Unknown fields inside a map entry are skipped")
    func unknownFieldsInEntryAreSkipped() throws {
        let decoded = try Composite(decoding: Hex.bytes("22 08 0a0161 120162 1801"))
        #expect(decoded.labels == ["a": "b"])
        #expect(decoded.unknownFields.isEmpty)
    }

    @Test("A repeated key keeps the last value")
    func repeatedKeyKeepsLastValue() throws {
        let decoded = try Composite(decoding: Hex.bytes("22 06 0a0161 120131  22 06 0a0161 120132"))
        #expect(decoded.labels == ["a": "2"])
    }

    @Test("An entry whose length overruns the message is lengthOverrun")
    func overrunningEntryIsRefused() {
        let error = #expect(throws: WireError.self) { _ = try Composite(decoding: Hex.bytes("22 09 0a0161")) }
        #expect(error?.code == .lengthOverrun)
    }

    @Test("A map field's descriptor names its synthesised entry message")
    func mapDescriptorNamesEntry() throws {
        let labels = try #require(Composite.fieldDescriptors.first { $0.name == "labels" })
        #expect(labels.isMap)
        #expect(labels.label == .repeated)
        #expect(labels.type == .message)
        #expect(labels.typeName == "wiretest.Composite.LabelsEntry")
    }
}
