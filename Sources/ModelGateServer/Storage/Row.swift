internal import CModelGateSQLite

/// One result row, read by column index (0-based, in `SELECT` order).
///
/// Valid only inside the closure it is passed to: SQLite reuses the memory
/// when the statement steps again.
public struct Row {
    let statement: OpaquePointer

    /// True when the column holds NULL.
    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(self.statement, column) == SQLITE_NULL
    }

    public func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(self.statement, column)
    }

    public func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(self.statement, column))
    }

    public func double(_ column: Int32) -> Double {
        sqlite3_column_double(self.statement, column)
    }

    public func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(self.statement, column) != 0
    }

    /// The column as text; NULL reads as the empty string.
    public func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(self.statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(self.statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column as text, or `nil` for NULL.
    public func optionalText(_ column: Int32) -> String? {
        self.isNull(column) ? nil : self.text(column)
    }

    /// The column as bytes; NULL reads as empty.
    public func blob(_ column: Int32) -> [UInt8] {
        // Ask for the pointer first: sqlite3_column_bytes afterwards gives its length.
        guard let pointer = sqlite3_column_blob(self.statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(self.statement, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
