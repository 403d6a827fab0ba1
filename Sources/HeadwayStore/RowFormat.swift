import HeadwayPostgres

/// How the HTTP API's table-shaped answers get their rows: each row as JSON, as `row_to_json`
/// writes it (written from the row's text by `JSONRowWriter`, which costs far less than asking
/// PostgreSQL for it), or as one CSV record of the very same values, written from the same text
/// by Headway's one CSV writer (`CSVField`, the policy of docs/FORMATS.md).
public enum RowFormat: String, Sendable, CaseIterable {
    /// `row_to_json`'s object: every column with its SQL type kept (numbers, dates as strings, arrays).
    case json
    /// One RFC 4180 record per row, columns in the JSON's order: a string as text (a leading
    /// =, +, -, @, tab or carriage return defused with a '), a number or boolean as it is, an
    /// array as its JSON text, null as an empty field. A field holding a comma, quote or line
    /// break is quoted, and so is the empty string, which a null is not.
    case csv

    /// The names of `query`'s columns where this format needs them (a CSV header), else none.
    func columns(_ query: SQLQuery, on connection: PostgresConnection) throws -> [String] {
        guard self == .csv else { return [] }
        return try connection.columnNames(query.wrapped(unsafeSQL: "SELECT * FROM (", ") AS t LIMIT 0"))
    }

    /// Runs `query` and returns its rows rendered in this format, in the query's order.
    func rows(_ query: SQLQuery, on connection: PostgresConnection) throws -> [String] {
        switch self {
        case .json:
            return try connection.queryJSONObjects(query, leading: 0).map(\.object)
        case .csv:
            return try connection.queryCSVRecords(query, leading: 0).map(\.record)
        }
    }
}

/// Rows in a format, with the column names a CSV header needs.
public struct FormattedRows: Sendable {
    /// The columns, in the rows' order (read for CSV only, which needs them for its header).
    public let columns: [String]
    public let rows: [String]

    /// `rows` of `query` in `format`; the columns come from the query's result description.
    static func read(_ query: SQLQuery, format: RowFormat, on connection: PostgresConnection) throws -> FormattedRows {
        FormattedRows(columns: try format.columns(query, on: connection), rows: try format.rows(query, on: connection))
    }
}
