import HeadwayCSV
import HeadwayReport
import HeadwayStore
import Hummingbird

/// A table-shaped answer in the format asked for: JSON `{"NAME": [rows], …}`, or CSV (RFC 4180)
/// with a header row of the same columns, every field written by the one CSV writer (`CSVField`).
enum TableAnswer {
    static func response(
        _ table: FormattedRows, format: RowFormat, name: String, more: [(String, JSONValue)] = [], headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        var text: String
        switch format {
        case .json:
            headers[.contentType] = "application/json"
            text = "{" + JSONValue.string(name).compactText + ":[" + table.rows.joined(separator: ",") + "]"
            for (field, value) in more { text += "," + JSONValue.string(field).compactText + ":" + value.compactText }
            text += "}"
        case .csv:
            headers[.contentType] = "text/csv; charset=utf-8; header=present"
            text = CSVRecord.line(table.columns.map(CSVField.text))
            for row in table.rows { text += row + "\r\n" }
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
