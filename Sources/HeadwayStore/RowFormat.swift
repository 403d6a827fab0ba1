import HeadwayPostgres

/// How the HTTP API's table-shaped answers get their rows: each row as JSON, as `row_to_json`
/// writes it (written from the row's text by `JSONRowWriter`, which costs far less than asking
/// PostgreSQL for it), or as one CSV record of the very same values, written by PostgreSQL.
public enum RowFormat: String, Sendable, CaseIterable {
    /// `row_to_json`'s object: every column with its SQL type kept (numbers, dates as strings, arrays).
    case json
    /// One RFC 4180 record per row, columns in the JSON's order: a string as it is, a number,
    /// boolean or array as its JSON text, null as an empty field. A field holding a comma, quote
    /// or line break is quoted, and so is the empty string, which a null is not.
    case csv

    /// The SQL expression that renders row `alias` (a row in scope) as one CSV record.
    static func csvRecord(row alias: String) -> String {
        """
        (SELECT string_agg(CASE WHEN e.value IS NULL THEN ''
                                WHEN e.value = '' OR e.value ~ '[",\\r\\n]' THEN '"' || replace(e.value, '"', '""') || '"'
                                ELSE e.value END, ',' ORDER BY e.position)
         FROM json_each_text(row_to_json(\(alias))) WITH ORDINALITY AS e(name, value, position))
        """
    }

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
            return try connection.query(query.wrapped(unsafeSQL: "SELECT \(Self.csvRecord(row: "t")) FROM (", ") AS t"))
                .map { try $0.decode(String.self, at: 0) }
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
