/// A first-in, first-out queue whose entries can also leave early by key:
/// requests waiting for a free replica, which leave at the front when a slot
/// frees up, or anywhere when they time out or are cancelled.
///
/// Push, pop and remove are O(1) amortised: a removed entry leaves its key
/// behind in the order list, skipped when it reaches the front.
struct KeyedFIFO<Value> {
    private var values: [UInt64: Value] = [:]
    private var order: [UInt64] = []
    private var head = 0

    init() {}

    /// Entries waiting.
    var count: Int { self.values.count }
    var isEmpty: Bool { self.values.isEmpty }

    /// Adds `value` at the back under `key` (keys must be unique).
    mutating func push(_ value: Value, key: UInt64) {
        self.values[key] = value
        self.order.append(key)
    }

    /// Removes and returns the front entry.
    mutating func popFirst() -> Value? {
        while self.head < self.order.count {
            let key = self.order[self.head]
            self.head += 1
            if let value = self.values.removeValue(forKey: key) {
                self.compact()
                return value
            }
        }
        self.compact()
        return nil
    }

    /// The front entry, left in place.
    mutating func peekFirst() -> Value? {
        while self.head < self.order.count {
            if let value = self.values[self.order[self.head]] { return value }
            self.head += 1
        }
        self.compact()
        return nil
    }

    /// Removes the entry under `key`, wherever it is.
    mutating func remove(key: UInt64) -> Value? {
        let value = self.values.removeValue(forKey: key)
        if self.values.isEmpty {
            self.order.removeAll(keepingCapacity: true)
            self.head = 0
        }
        return value
    }

    /// Changes the entry under `key` in place; false if it is not queued.
    mutating func update(key: UInt64, _ body: (inout Value) -> Void) -> Bool {
        guard var value = self.values[key] else { return false }
        body(&value)
        self.values[key] = value
        return true
    }

    /// Removes every entry, front first.
    mutating func removeAll() -> [Value] {
        var all: [Value] = []
        while let value = self.popFirst() { all.append(value) }
        return all
    }

    private mutating func compact() {
        if self.head >= self.order.count {
            self.order.removeAll(keepingCapacity: true)
            self.head = 0
        } else if self.head >= 1024, self.head * 2 >= self.order.count {
            self.order.removeFirst(self.head)
            self.head = 0
        }
    }
}
