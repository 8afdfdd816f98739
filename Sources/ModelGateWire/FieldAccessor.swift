/// Reads and writes one stored property of a message, fast.
///
/// Applying a key path at run time goes through the standard library's
/// generic key-path machinery (metadata lookups on every call), which cost
/// more than the encoding itself. A message's fields are stored properties
/// of a struct, so ``MemoryLayout/offset(of:)`` gives their byte offset once,
/// and every later access is a typed load or store at that offset. A key path
/// with no offset (a computed property) falls back to ordinary key-path access.
@usableFromInline
struct FieldAccessor<Root, Value>: @unchecked Sendable {
    // @unchecked: key paths are immutable objects, safe to share; the offset is an Int.
    @usableFromInline let keyPath: WritableKeyPath<Root, Value>
    @usableFromInline let offset: Int?

    @inlinable
    init(_ keyPath: WritableKeyPath<Root, Value>) {
        self.keyPath = keyPath
        self.offset = MemoryLayout<Root>.offset(of: keyPath)
    }

    @inlinable
    func get(_ root: Root) -> Value {
        guard let offset = self.offset else { return root[keyPath: self.keyPath] }
        return withUnsafePointer(to: root) { pointer in
            UnsafeRawPointer(pointer).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee
        }
    }

    @inlinable
    func modify<Result>(_ root: inout Root, _ body: (inout Value) -> Result) -> Result {
        guard let offset = self.offset else { return body(&root[keyPath: self.keyPath]) }
        return withUnsafeMutablePointer(to: &root) { pointer in
            body(&UnsafeMutableRawPointer(pointer).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee)
        }
    }

    @inlinable
    func set(_ root: inout Root, _ value: Value) {
        guard let offset = self.offset else {
            root[keyPath: self.keyPath] = value
            return
        }
        withUnsafeMutablePointer(to: &root) { pointer in
            UnsafeMutableRawPointer(pointer).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee = value
        }
    }
}
