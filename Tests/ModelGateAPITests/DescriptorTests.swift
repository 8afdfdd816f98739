import ModelGateAPI
import ModelGateTestSupport
import ModelGateWire
import Testing

/// Holds the hand-written types to `proto/`: every message, field, enum value and
/// method must match what `protoc` reads from the schema, in both directions.
@Suite("The Swift schema matches proto/")
struct DescriptorTests {
    /// protoc runs once per test process; each test takes its own copy of the result.
    static let cachedDescriptorSet = Result { try Protoc.descriptorSet(protoRoot: RepositoryLayout.protoRoot) }

    /// The descriptor set protoc writes for every file in `proto/`.
    static func protocDescriptorSet() throws -> FileDescriptorSet {
        try Self.cachedDescriptorSet.get()
    }

    @Test("ModelGateSchema matches protoc's descriptor set exactly")
    func swiftSchemaMatchesProto() throws {
        // Given
        let descriptorSet = try Self.protocDescriptorSet()

        // When
        let differences = SchemaContract.differences(between: descriptorSet, and: .modelGate)

        // Then: one issue per difference, so the report lists them all
        for difference in differences {
            Issue.record("\(difference)")
        }
        #expect(differences.isEmpty, "\(differences.count) differences between proto/ and ModelGateSchema")
    }

    @Test("The descriptor set covers every file in proto/ and is non-trivial")
    func descriptorSetCoversEveryFile() throws {
        let descriptorSet = try Self.protocDescriptorSet()
        let files = try Protoc.protoFiles(under: RepositoryLayout.protoRoot)
        #expect(descriptorSet.file.map(\.name).sorted() == files)
        #expect(descriptorSet.file.allSatisfy { $0.package == "modelgate.v1" })
        #expect(descriptorSet.file.contains { $0.name == "modelgate/v1/transport.proto" })
        let messages = descriptorSet.file.reduce(0) { $0 + $1.messageType.count }
        #expect(messages >= 4)
    }

    @Test("Our codec reads protoc's view of CallHeaders field by field")
    func callHeadersDescriptorDecodes() throws {
        // A spot check of the descriptor decoding itself, independent of SchemaContract.
        let descriptorSet = try Self.protocDescriptorSet()
        let transport = try #require(descriptorSet.file.first { $0.name == "modelgate/v1/transport.proto" })
        let callHeaders = try #require(transport.messageType.first { $0.name == "CallHeaders" })
        let metadata = try #require(callHeaders.field.first { $0.number == 2 })
        #expect(metadata.name == "metadata")
        #expect(metadata.jsonName == "metadata")
        #expect(metadata.fieldLabel == .repeated)
        #expect(metadata.fieldType == .message)
        #expect(metadata.typeName == ".modelgate.v1.CallHeaders.MetadataEntry")
        let entry = try #require(callHeaders.nestedType.first { $0.name == "MetadataEntry" })
        #expect(entry.isMapEntry)
        #expect(entry.field.map(\.name) == ["key", "value"])
        #expect(entry.field.map(\.fieldType) == [.string, .string])
        let timeout = try #require(callHeaders.field.first { $0.number == 4 })
        #expect(timeout.name == "timeout_micros")
        #expect(timeout.jsonName == "timeoutMicros")
        #expect(timeout.fieldType == .uint64)
        let statusCode = try #require(transport.enumType.first { $0.name == "StatusCode" })
        #expect(statusCode.value.first?.name == "STATUS_CODE_OK")
        #expect(statusCode.value.count == 17)
    }

    /// A deliberate change to one side, and a fragment every reported difference
    /// for it must contain (naming the element that changed).
    struct Mutation: Sendable, CustomTestStringConvertible {
        var label: String
        var expected: String
        var swift: @Sendable (inout SchemaSnapshot) -> Void = { _ in }
        var proto: @Sendable (inout FileDescriptorSet) -> Void = { _ in }
        var testDescription: String { self.label }
    }

    static let callHeaders = "modelgate.v1.CallHeaders"

    static func editField(_ message: String, number: Int, _ edit: @escaping @Sendable (inout FieldDescriptor) -> Void) -> @Sendable (inout SchemaSnapshot) -> Void {
        { snapshot in
            guard var fields = snapshot.messages[message], let index = fields.firstIndex(where: { $0.number == number }) else {
                Issue.record("no field \(number) in \(message) to mutate")
                return
            }
            edit(&fields[index])
            snapshot.messages[message] = fields
        }
    }

    static let mutations: [Mutation] = [
        Mutation(label: "field type changed", expected: "CallHeaders field 4 (timeout_micros): type is uint64 in proto/ but int64",
                 swift: editField(callHeaders, number: 4) { $0.type = .int64 }),
        Mutation(label: "field renamed", expected: "CallHeaders field 3 (request_id): name is request_id in proto/ but requestId",
                 swift: editField(callHeaders, number: 3) { $0.name = "requestId" }),
        Mutation(label: "field renumbered", expected: "CallHeaders field 3 (request_id) is in proto/ but not in",
                 swift: editField(callHeaders, number: 3) { $0.number = 30 }),
        Mutation(label: "label changed", expected: "CallHeaders field 1 (method): label is optional in proto/ but repeated",
                 swift: editField(callHeaders, number: 1) { $0.label = .repeated }),
        Mutation(label: "map-ness dropped", expected: "CallHeaders field 2 (metadata): map-ness is true in proto/ but false",
                 swift: editField(callHeaders, number: 2) { $0.isMap = false }),
        Mutation(label: "enum type name changed", expected: "modelgate.v1.Trailers field 1 (code): type_name is modelgate.v1.StatusCode in proto/ but modelgate.v1.Toggle",
                 swift: editField("modelgate.v1.Trailers", number: 1) { $0.typeName = "modelgate.v1.Toggle" }),
        Mutation(label: "fields out of order", expected: "modelgate.v1.CallHeaders.fields is not in field-number order",
                 swift: { $0.messages[callHeaders]?.reverse() }),
        Mutation(label: "Swift-only field", expected: "CallHeaders field 99 (extra) is in modelgate.v1.CallHeaders.fields but not in proto/",
                 swift: { $0.messages[callHeaders]?.append(FieldDescriptor(number: 99, name: "extra", type: .string, label: .optional)) }),
        Mutation(label: "message missing in Swift", expected: "message modelgate.v1.GoAway (modelgate/v1/transport.proto) is in proto/ but not in ModelGateSchema.messages",
                 swift: { $0.messages["modelgate.v1.GoAway"] = nil }),
        Mutation(label: "Swift-only message", expected: "message modelgate.v1.Ghost is in ModelGateSchema.messages but not in proto/",
                 swift: { $0.messages["modelgate.v1.Ghost"] = [] }),
        Mutation(label: "duplicate message", expected: "is listed more than once in ModelGateSchema",
                 swift: { $0.duplicates.append("message modelgate.v1.GoAway") }),
        Mutation(label: "enum value renumbered", expected: "enum modelgate.v1.StatusCode value STATUS_CODE_INTERNAL is 13 in proto/ but 31",
                 swift: { snapshot in
                     snapshot.enums["modelgate.v1.StatusCode"] = snapshot.enums["modelgate.v1.StatusCode"]?.map {
                         $0.name == "STATUS_CODE_INTERNAL" ? .init(name: $0.name, number: 31) : $0
                     }
                 }),
        Mutation(label: "enum value missing", expected: "enum modelgate.v1.StatusCode value STATUS_CODE_UNAUTHENTICATED = 16 is in proto/ but not in knownValues",
                 swift: { $0.enums["modelgate.v1.StatusCode"]?.removeLast() }),
        Mutation(label: "enum values reordered", expected: "enum modelgate.v1.FrameFlag lists its values in another order",
                 swift: { $0.enums["modelgate.v1.FrameFlag"]?.reverse() }),
        Mutation(label: "enum missing in Swift", expected: "enum modelgate.v1.FrameType is in proto/ but not in ModelGateSchema.enums",
                 swift: { $0.enums["modelgate.v1.FrameType"] = nil }),
        Mutation(label: "streaming flag flipped", expected: "server_streaming is",
                 swift: { snapshot in
                     guard let name = snapshot.services.keys.sorted().first, var methods = snapshot.services[name], !methods.isEmpty else { return }
                     methods[0].serverStreaming.toggle()
                     snapshot.services[name] = methods
                 }),
        Mutation(label: "method input type changed", expected: "input type is",
                 swift: { snapshot in
                     guard let name = snapshot.services.keys.sorted().first, var methods = snapshot.services[name], !methods.isEmpty else { return }
                     methods[0].inputType = "modelgate.v1.GoAway"
                     snapshot.services[name] = methods
                 }),
        Mutation(label: "method missing in Swift", expected: "is in proto/ but not in ModelGateSchema.services",
                 swift: { snapshot in
                     guard let name = snapshot.services.keys.sorted().first else { return }
                     snapshot.services[name]?.removeLast()
                 }),
        Mutation(label: "field added to proto/", expected: "CallHeaders field 5 (priority) is in proto/ but not in modelgate.v1.CallHeaders.fields",
                 proto: { set in
                     var field = FieldDescriptorProto()
                     field.name = "priority"
                     field.number = 5
                     field.label = FieldLabel.optional.rawValue
                     field.type = FieldType.int32.rawValue
                     Self.editProtoMessage(&set, "CallHeaders") { $0.field.append(field) }
                 }),
        Mutation(label: "oneof added to proto/", expected: "modelgate.v1.CallHeaders declares a oneof (choice); the codec has no oneof support",
                 proto: { set in
                     var oneof = OneofDescriptorProto()
                     oneof.name = "choice"
                     Self.editProtoMessage(&set, "CallHeaders") { $0.oneofDecl.append(oneof) }
                 }),
        Mutation(label: "proto2 file", expected: "syntax is 'proto2'; the codec implements proto3 only",
                 proto: { set in
                     guard let index = set.file.firstIndex(where: { $0.name.hasSuffix("transport.proto") }) else { return }
                     set.file[index].syntax = "proto2"
                 }),
    ]

    static func editProtoMessage(_ set: inout FileDescriptorSet, _ name: String, _ edit: (inout DescriptorProto) -> Void) {
        for fileIndex in set.file.indices {
            if let index = set.file[fileIndex].messageType.firstIndex(where: { $0.name == name }) {
                edit(&set.file[fileIndex].messageType[index])
                return
            }
        }
        Issue.record("no message \(name) to mutate")
    }

    @Test("The check fails, naming the element, when either side is altered", arguments: mutations)
    func checkCatchesMutation(_ mutation: Mutation) throws {
        // Given an accurate pair that agrees...
        var descriptorSet = try Self.protocDescriptorSet()
        var snapshot = SchemaSnapshot.modelGate
        let baseline = Set(SchemaContract.differences(between: descriptorSet, and: snapshot))

        // When one side is altered
        mutation.swift(&snapshot)
        mutation.proto(&descriptorSet)
        let differences = SchemaContract.differences(between: descriptorSet, and: snapshot).filter { !baseline.contains($0) }

        // Then a new difference names what changed
        #expect(!differences.isEmpty, "the check did not notice: \(mutation.label)")
        #expect(differences.contains { $0.contains(mutation.expected) }, "expected a difference containing '\(mutation.expected)', got \(differences)")
    }

    @Test("A map field whose entry is not map<string, string> is reported")
    func nonStringMapIsReported() throws {
        // Given the CallHeaders metadata entry with an int32 value
        var descriptorSet = try Self.protocDescriptorSet()
        Self.editProtoMessage(&descriptorSet, "CallHeaders") { message in
            guard let entry = message.nestedType.firstIndex(where: \.isMapEntry),
                  let value = message.nestedType[entry].field.firstIndex(where: { $0.number == 2 }) else { return }
            message.nestedType[entry].field[value].type = FieldType.int32.rawValue
        }

        // When / Then
        let differences = SchemaContract.differences(between: descriptorSet, and: .modelGate)
        #expect(differences.contains { $0.contains("CallHeaders field 2 (metadata) is a map with entry (key string, value int32)") })
    }
}
