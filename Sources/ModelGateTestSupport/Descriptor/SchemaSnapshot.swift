public import ModelGateAPI
public import ModelGateWire

/// The schema as the Swift types declare it, in plain values a test can alter.
///
/// ``SchemaContract`` compares this with `protoc`'s descriptor set. Being plain data,
/// a copy can be mutated to prove the comparison notices a change.
public struct SchemaSnapshot: Sendable {
    public struct EnumValue: Hashable, Sendable {
        public var name: String
        public var number: Int32
        public init(name: String, number: Int32) {
            self.name = name
            self.number = number
        }
    }

    public struct Method: Hashable, Sendable {
        /// The service the method says it belongs to (``ModelGateAPI/MethodDescriptor/service``).
        public var service: String
        public var name: String
        public var inputType: String
        public var outputType: String
        public var clientStreaming: Bool
        public var serverStreaming: Bool
    }

    /// Field tables by message name, each in table order (which is the encoding order).
    public var messages: [String: [FieldDescriptor]]
    /// Known values by enum name, in declaration order.
    public var enums: [String: [EnumValue]]
    /// Methods by service name, in declaration order.
    public var services: [String: [Method]]
    /// Names listed more than once in the Swift lists, which a dictionary would hide.
    public var duplicates: [String]

    public init(messages: [any ProtoMessage.Type], enums: [any ProtoEnum.Type], services: [ServiceDescriptor]) {
        var duplicates: [String] = []
        var messageTable: [String: [FieldDescriptor]] = [:]
        for message in messages {
            if messageTable[message.protoName] != nil { duplicates.append("message \(message.protoName)") }
            messageTable[message.protoName] = message.fieldDescriptors
        }
        var enumTable: [String: [EnumValue]] = [:]
        for type in enums {
            if enumTable[type.protoName] != nil { duplicates.append("enum \(type.protoName)") }
            enumTable[type.protoName] = type.knownValues.map { EnumValue(name: $0.name, number: $0.value) }
        }
        var serviceTable: [String: [Method]] = [:]
        for service in services {
            if serviceTable[service.name] != nil { duplicates.append("service \(service.name)") }
            serviceTable[service.name] = service.methods.map { method in
                Method(
                    service: method.service, name: method.name,
                    inputType: method.inputType.protoName, outputType: method.outputType.protoName,
                    clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming
                )
            }
        }
        self.messages = messageTable
        self.enums = enumTable
        self.services = serviceTable
        self.duplicates = duplicates
    }

    /// The snapshot of ``ModelGateAPI/ModelGateSchema``.
    public static var modelGate: SchemaSnapshot {
        SchemaSnapshot(messages: ModelGateSchema.messages, enums: ModelGateSchema.enums, services: ModelGateSchema.services)
    }
}
