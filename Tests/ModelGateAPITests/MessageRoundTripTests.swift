import ModelGateAPI
import ModelGateWire
import Testing

/// Rich messages survive encode/decode unchanged, set every field they declare, and encode to
/// the same bytes as the official Python protobuf library (`SerializeToString(deterministic=True)`
/// on the same values; the expected hex was produced from `proto/` with protoc 3.21 / protobuf 7.36).
@Suite("Message round trips")
struct MessageRoundTripTests {
    @Test("A message with every field set decodes to itself", arguments: [
        AnyMessage(MessageFixtures.healthResponse()),
        AnyMessage(MessageFixtures.region()),
        AnyMessage(MessageFixtures.getLogsRequest()),
        AnyMessage(MessageFixtures.modelFileChunk()),
        AnyMessage(MessageFixtures.deploymentConfig()),
        AnyMessage(MessageFixtures.webService()),
        AnyMessage(MessageFixtures.endpoint()),
        AnyMessage(MessageFixtures.signInResponse()),
        AnyMessage(MessageFixtures.scoreRequest()),
        AnyMessage(MessageFixtures.scoreResponse()),
        AnyMessage(MessageFixtures.computeTarget()),
        AnyMessage(MessageFixtures.listComputesRequest()),
        AnyMessage(MessageFixtures.signingKeys()),
        AnyMessage(MessageFixtures.deploymentProgress()),
        AnyMessage(MessageFixtures.registerModelRequest()),
    ])
    func fullySetMessageRoundTrips(message: AnyMessage) throws {
        // Given a message with every field set (checked on the wire, so the test cannot go soft)
        #expect(try message.fieldNumbersOnWire() == message.declaredFieldNumbers, "\(message.name) leaves fields unset")
        // When it is encoded and decoded / Then it is unchanged, and re-encodes to the same bytes
        #expect(try message.roundTrips(), "\(message.name) changed in a round trip")
    }

    @Test("Encoding matches the official protobuf library byte for byte", arguments: [
        (AnyMessage(MessageFixtures.healthResponse()), MessageFixtures.healthResponseHex),
        (AnyMessage(MessageFixtures.region()), MessageFixtures.regionHex),
        (AnyMessage(MessageFixtures.getLogsRequest()), MessageFixtures.getLogsRequestHex),
        (AnyMessage(MessageFixtures.modelFileChunk()), MessageFixtures.modelFileChunkHex),
    ])
    func encodingMatchesOfficialLibrary(message: AnyMessage, expectedHex: String) throws {
        #expect(message.encodedHex == expectedHex)
    }

    @Test("Official library bytes decode to the same values")
    func officialBytesDecode() throws {
        let bytes = try #require(MessageFixtures.bytes(hex: MessageFixtures.healthResponseHex))
        let decoded = try HealthResponse(decoding: bytes)
        #expect(decoded == MessageFixtures.healthResponse())
        let metrics = try #require(decoded.services.first?.metrics.first)
        #expect(metrics.lastScaleDelta == -2)
        #expect(metrics.latency?.counts == [10, 20, 30, 4])
        #expect(decoded.clockSkewMs == -250)
    }

    @Test("Enum values keep numbers this build does not know")
    func unknownEnumValueSurvives() throws {
        var service = WebService()
        service.state = WebServiceState(rawValue: 42)
        let decoded = try WebService(decoding: service.encoded())
        #expect(decoded.state.rawValue == 42)
        #expect(decoded.state.protoValueName == "42")
        #expect(WebServiceState.unschedulable.protoValueName == "WEB_SERVICE_STATE_UNSCHEDULABLE")
    }
}
