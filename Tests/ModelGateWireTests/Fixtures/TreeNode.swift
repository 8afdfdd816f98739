import ModelGateWire

/// A test-only recursive message for the nesting limit. Swift structs cannot
/// hold themselves directly, so the child lives in a repeated field.
struct TreeNode: ProtoMessage {
    var children: [TreeNode] = []
    var unknownFields = UnknownFields()
    init() {}

    static let protoName = "wiretest.TreeNode"
    static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "children", \.children),
    ]

    /// A chain of `depth` messages below this one: `depth` = 0 is a lone node.
    static func chain(nestedDepth depth: Int) -> TreeNode {
        var node = TreeNode()
        for _ in 0..<depth {
            var parent = TreeNode()
            parent.children = [node]
            node = parent
        }
        return node
    }
}
