import ModelGateWire

/// Compares a descriptor set written by `protoc` with the schema the Swift types declare.
///
/// Every difference becomes one line naming the message, field, enum value or method and
/// both sides' values, so a failing test says exactly what to fix. An empty result means
/// the Swift codec encodes exactly what `proto/` describes.
public enum SchemaContract {
    /// Every difference between `descriptorSet` and `swift`, sorted; empty when they agree.
    public static func differences(between descriptorSet: FileDescriptorSet, and swift: SchemaSnapshot) -> [String] {
        var collector = Collector(swift: swift)
        for file in descriptorSet.file {
            collector.collect(file)
        }
        return collector.compare()
    }

    /// The proto side, flattened to fully qualified names, and the comparison.
    private struct Collector {
        let swift: SchemaSnapshot
        var messages: [String: (file: String, message: DescriptorProto)] = [:]
        var mapEntries: [String: DescriptorProto] = [:]
        var enums: [String: EnumDescriptorProto] = [:]
        var services: [String: ServiceDescriptorProto] = [:]
        var packages: [String: String] = [:]
        var problems: [String] = []

        init(swift: SchemaSnapshot) {
            self.swift = swift
            self.problems = swift.duplicates.map { "\($0) is listed more than once in ModelGateSchema" }
        }

        mutating func collect(_ file: FileDescriptorProto) {
            if file.syntax != "proto3" {
                self.problems.append("\(file.name): syntax is '\(file.syntax)'; the codec implements proto3 only")
            }
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType { self.collect(message, prefix: prefix, file: file.name) }
            for type in file.enumType { self.enums[prefix + type.name] = type }
            for service in file.service { self.services[prefix + service.name] = service }
        }

        mutating func collect(_ message: DescriptorProto, prefix: String, file: String) {
            let name = prefix + message.name
            if message.isMapEntry {
                self.mapEntries[name] = message
            } else {
                self.messages[name] = (file, message)
            }
            for nested in message.nestedType { self.collect(nested, prefix: name + ".", file: file) }
            for type in message.enumType { self.enums[name + "." + type.name] = type }
        }

        mutating func compare() -> [String] {
            self.compareMessages()
            self.compareEnums()
            self.compareServices()
            return self.problems.sorted()
        }

        // MARK: Messages

        mutating func compareMessages() {
            for name in Set(self.messages.keys).union(self.swift.messages.keys).sorted() {
                switch (self.messages[name], self.swift.messages[name]) {
                case (let proto?, let fields?):
                    self.compareFields(of: name, proto: proto.message, swift: fields)
                case (let proto?, nil):
                    self.problems.append("message \(name) (\(proto.file)) is in proto/ but not in ModelGateSchema.messages")
                case (nil, _):
                    self.problems.append("message \(name) is in ModelGateSchema.messages but not in proto/")
                }
            }
        }

        mutating func compareFields(of message: String, proto: DescriptorProto, swift: [FieldDescriptor]) {
            let numbers = swift.map(\.number)
            if numbers != numbers.sorted() {
                self.problems.append("\(message).fields is not in field-number order (\(numbers)); the encoder writes fields in table order")
            }
            var swiftByNumber: [Int: FieldDescriptor] = [:]
            for field in swift {
                if let earlier = swiftByNumber[field.number] {
                    self.problems.append("\(message).fields lists number \(field.number) twice (\(earlier.name), \(field.name))")
                }
                swiftByNumber[field.number] = field
            }
            let syntheticOneofs = proto.field.filter(\.proto3Optional).count
            if proto.oneofDecl.count > syntheticOneofs {
                let names = proto.oneofDecl.map(\.name).joined(separator: ", ")
                self.problems.append("\(message) declares a oneof (\(names)); the codec has no oneof support")
            }

            var protoNumbers: Set<Int> = []
            for field in proto.field {
                let number = Int(field.number)
                protoNumbers.insert(number)
                let place = "\(message) field \(number) (\(field.name))"
                guard let swiftField = swiftByNumber[number] else {
                    self.problems.append("\(place) is in proto/ but not in \(message).fields")
                    continue
                }
                self.compare(field, swiftField, place: place)
            }
            for field in swift where !protoNumbers.contains(field.number) {
                self.problems.append("\(message) field \(field.number) (\(field.name)) is in \(message).fields but not in proto/")
            }
        }

        mutating func compare(_ field: FieldDescriptorProto, _ swift: FieldDescriptor, place: String) {
            func differ(_ what: String, _ proto: Any, _ swiftValue: Any) {
                self.problems.append("\(place): \(what) is \(proto) in proto/ but \(swiftValue) in Swift")
            }
            if field.name != swift.name { differ("name", field.name, swift.name) }
            let typeName = field.unqualifiedTypeName
            if swift.typeName != typeName { differ("type_name", typeName ?? "none", swift.typeName ?? "none") }
            if field.proto3Optional {
                self.problems.append("\(place) is proto3 `optional`; the codec has no presence for scalars")
            }
            if let packed = field.options?.packed, !packed {
                self.problems.append("\(place) is [packed = false]; the codec always writes repeated scalars packed")
            }

            let entry = typeName.flatMap { self.mapEntries[$0] }
            if swift.isMap != (entry != nil) { differ("map-ness", entry != nil, swift.isMap) }
            if let entry {
                // A map field: the entry must be map<string, string>, the only kind the codec has.
                let key = entry.field.first { $0.number == 1 }
                let value = entry.field.first { $0.number == 2 }
                if key?.fieldType != .string || value?.fieldType != .string || entry.field.count != 2 {
                    let kinds = entry.field.map { "\($0.name) \($0.fieldType.map { "\($0)" } ?? "\($0.type)")" }
                    self.problems.append("\(place) is a map with entry (\(kinds.joined(separator: ", "))); the codec supports only map<string, string>")
                }
            }
            guard let type = field.fieldType else {
                self.problems.append("\(place): unknown field type \(field.type)")
                return
            }
            if type != swift.type { differ("type", type, swift.type) }
            guard let label = field.fieldLabel else {
                self.problems.append("\(place): unknown label \(field.label)")
                return
            }
            if label != swift.label { differ("label", label, swift.label) }
        }

        // MARK: Enums

        mutating func compareEnums() {
            for name in Set(self.enums.keys).union(self.swift.enums.keys).sorted() {
                switch (self.enums[name], self.swift.enums[name]) {
                case (let proto?, let values?):
                    self.compareValues(of: name, proto: proto, swift: values)
                case (_?, nil):
                    self.problems.append("enum \(name) is in proto/ but not in ModelGateSchema.enums")
                case (nil, _):
                    self.problems.append("enum \(name) is in ModelGateSchema.enums but not in proto/")
                }
            }
        }

        mutating func compareValues(of type: String, proto: EnumDescriptorProto, swift: [SchemaSnapshot.EnumValue]) {
            let protoValues = proto.value.map { SchemaSnapshot.EnumValue(name: $0.name, number: $0.number) }
            guard protoValues != swift else { return }
            let swiftByName = Dictionary(swift.map { ($0.name, $0.number) }, uniquingKeysWith: { first, _ in first })
            let protoByName = Dictionary(protoValues.map { ($0.name, $0.number) }, uniquingKeysWith: { first, _ in first })
            var found = false
            for value in protoValues {
                if let number = swiftByName[value.name] {
                    if number != value.number {
                        self.problems.append("enum \(type) value \(value.name) is \(value.number) in proto/ but \(number) in knownValues")
                        found = true
                    }
                } else {
                    self.problems.append("enum \(type) value \(value.name) = \(value.number) is in proto/ but not in knownValues")
                    found = true
                }
            }
            for value in swift where protoByName[value.name] == nil {
                self.problems.append("enum \(type) value \(value.name) = \(value.number) is in knownValues but not in proto/")
                found = true
            }
            if !found {
                let order = { (values: [SchemaSnapshot.EnumValue]) in values.map(\.name).joined(separator: ", ") }
                self.problems.append("enum \(type) lists its values in another order: proto/ [\(order(protoValues))], knownValues [\(order(swift))]")
            }
        }

        // MARK: Services

        mutating func compareServices() {
            for name in Set(self.services.keys).union(self.swift.services.keys).sorted() {
                switch (self.services[name], self.swift.services[name]) {
                case (let proto?, let methods?):
                    self.compareMethods(of: name, proto: proto, swift: methods)
                case (_?, nil):
                    self.problems.append("service \(name) is in proto/ but not in ModelGateSchema.services")
                case (nil, _):
                    self.problems.append("service \(name) is in ModelGateSchema.services but not in proto/")
                }
            }
        }

        mutating func compareMethods(of service: String, proto: ServiceDescriptorProto, swift: [SchemaSnapshot.Method]) {
            var swiftByName: [String: SchemaSnapshot.Method] = [:]
            for method in swift {
                if swiftByName[method.name] != nil {
                    self.problems.append("service \(service) lists method \(method.name) twice in ModelGateSchema.services")
                }
                swiftByName[method.name] = method
                if method.service != service {
                    self.problems.append("method \(service).\(method.name) names its service '\(method.service)'")
                }
            }
            for method in proto.method {
                let place = "method \(service).\(method.name)"
                guard let swiftMethod = swiftByName.removeValue(forKey: method.name) else {
                    self.problems.append("\(place) is in proto/ but not in ModelGateSchema.services")
                    continue
                }
                func differ(_ what: String, _ protoValue: Any, _ swiftValue: Any) {
                    self.problems.append("\(place): \(what) is \(protoValue) in proto/ but \(swiftValue) in Swift")
                }
                let input = String(method.inputType.drop { $0 == "." })
                let output = String(method.outputType.drop { $0 == "." })
                if input != swiftMethod.inputType { differ("input type", input, swiftMethod.inputType) }
                if output != swiftMethod.outputType { differ("output type", output, swiftMethod.outputType) }
                if method.clientStreaming != swiftMethod.clientStreaming {
                    differ("client_streaming", method.clientStreaming, swiftMethod.clientStreaming)
                }
                if method.serverStreaming != swiftMethod.serverStreaming {
                    differ("server_streaming", method.serverStreaming, swiftMethod.serverStreaming)
                }
            }
            for name in swiftByName.keys.sorted() {
                self.problems.append("method \(service).\(name) is in ModelGateSchema.services but not in proto/")
            }
        }
    }
}
