import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird
import HummingbirdCore

/// The parameters of the table-shaped answers: format, sort and cursor, and the observations' bounds.
extension Queries {
    /// `sort`: a field of `StatusReader.Sort.Field`, with a leading "-" for descending; key by default.
    static func sort(_ parameters: Parameters) throws -> StatusReader.Sort {
        guard let text = try single("sort", parameters) else { return StatusReader.Sort(field: .key, descending: false) }
        let descending = text.hasPrefix("-")
        guard let field = StatusReader.Sort.Field(rawValue: String(descending ? text.dropFirst() : Substring(text))) else {
            throw Problem.badRequest("sort \(String(reflecting: text)) is not one of \(sortNames.joined(separator: ", "))")
        }
        return StatusReader.Sort(field: field, descending: descending)
    }

    static let sortNames = StatusReader.Sort.Field.allCases.flatMap { [$0.rawValue, "-" + $0.rawValue] }

    /// A table's format: `format=json|csv` if given, else CSV when the client accepts `text/csv`
    /// and not JSON before it, else JSON.
    static func format(_ request: Request) throws -> RowFormat {
        if let text = try single("format", request.uri.queryParameters) {
            guard let format = RowFormat(rawValue: text) else {
                throw Problem.badRequest("format must be json or csv, not \(String(reflecting: text))")
            }
            return format
        }
        let accepted = (request.headers[.accept] ?? "").split(separator: ",").compactMap { range -> String? in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0 ? parts.first : nil
        }
        guard let csv = accepted.firstIndex(of: "text/csv") else { return .json }
        return accepted.prefix(upTo: csv).contains("application/json") ? .json : .csv
    }

    /// `GET /api/v1/metrics/{key}/observations`: from, to, as_of (dates or periods: `from` is a
    /// period's first day, `to` and `as_of` its last), revisions=all, format.
    static func observationFilter(_ uri: URI) throws -> MetricReader.ObservationFilter {
        let parameters = try checked(uri, allowed: ["from", "to", "as_of", "revisions", "format"])
        var filter = MetricReader.ObservationFilter()
        filter.from = try date("from", parameters)?.first
        filter.to = try date("to", parameters)?.last
        filter.asOf = try date("as_of", parameters)?.last
        if let revisions = try single("revisions", parameters) {
            guard revisions == "all" || revisions == "current" else {
                throw Problem.badRequest("revisions must be all or current, not \(String(reflecting: revisions))")
            }
            filter.allRevisions = revisions == "all"
        }
        if let from = filter.from, let to = filter.to, from > to { throw Problem.badRequest("from (\(from)) is after to (\(to))") }
        return filter
    }

    /// A date parameter: a day, or a period as the command line takes it (2024-06, 2024-Q2, 2024, FY2024-25).
    static func date(_ name: String, _ parameters: Parameters) throws -> DatePeriod? {
        guard let text = try single(name, parameters) else { return nil }
        do {
            return try DatePeriod(parsing: text)
        } catch {
            throw Problem.badRequest("\(name): \(error)")
        }
    }
}

/// The list's cursor: opaque to clients, it holds the sort it was made for and the last row's
/// place in it (sort value and key), so the next page starts right after that row in any sort.
enum ListCursor {
    static func encode(_ position: StatusReader.Position, sort: StatusReader.Sort) -> String {
        let text = JSONValue.array([.string(sort.name), position.value.map(JSONValue.string) ?? .null, .string(position.key)]).compactText
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func position(decoding cursor: String, sort: StatusReader.Sort) throws -> StatusReader.Position {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let fields = try? JSONSerialization.jsonObject(with: data) as? [Any], fields.count == 3,
            let name = fields[0] as? String, let key = fields[2] as? String
        else { throw Problem.badRequest("cursor is not one this server gave out: pass next_cursor as it came") }
        let value = fields[1] as? String
        guard name == sort.name else {
            throw Problem.badRequest("cursor belongs to sort \(name), not \(sort.name): keep the sort while paging")
        }
        guard value.map(sort.accepts) ?? true, fields[1] is String || fields[1] is NSNull else {
            throw Problem.badRequest("cursor is not one this server gave out: pass next_cursor as it came")
        }
        return StatusReader.Position(value: value, key: key)
    }
}
