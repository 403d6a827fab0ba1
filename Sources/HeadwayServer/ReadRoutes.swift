import Foundation
import HeadwayReport
import HeadwayStore
import Hummingbird

/// The read endpoints beside the list and one commitment: a commitment's status history, the
/// metrics and their figures. Thin: parameters are checked in `Queries`, the SQL lives in
/// HeadwayStore (StatusReader, MetricReader).
extension API {
    func addReadRoutes(to router: Router<BasicRequestContext>) {
        let v1 = router.group("api/v1")
        read(v1, "commitments/:key/history") { request, context in
            _ = try Queries.checked(request.uri, allowed: ["format"])
            return try await history(try Self.key(context), format: try Queries.format(request))
        }
        read(v1, "metrics") { request, _ in
            _ = try Queries.checked(request.uri, allowed: ["format"])
            let format = try Queries.format(request)
            let metrics = try await reads.withSnapshot { try $0.metrics.metrics(format: format) }
            return TableAnswer.response(metrics, format: format, name: "metrics")
        }
        read(v1, "metrics/:key/observations") { request, context in
            try await observations(try Self.key(context), Queries.observationFilter(request.uri), format: try Queries.format(request))
        }
    }

    /// The path's `{key}`, percent-decoded (a key may hold "/", sent as %2F).
    static func key(_ context: BasicRequestContext) throws -> String {
        let key = try context.parameters.require("key")
        return key.removingPercentEncoding ?? key
    }

    func history(_ key: String, format: RowFormat) async throws -> Response {
        guard let rows = try await reads.withSnapshot({ try $0.history(key: key, format: format) }) else {
            throw Problem.notFound("no commitment with key \(String(reflecting: key))")
        }
        return TableAnswer.response(rows, format: format, name: "history", more: [("key", .string(key))])
    }

    func observations(_ metric: String, _ filter: MetricReader.ObservationFilter, format: RowFormat) async throws -> Response {
        let rows = try await reads.withSnapshot { try $0.metrics.observations(metric: metric, filter, format: format) }
        guard let rows else { throw Problem.notFound("no metric with key \(String(reflecting: metric))") }
        return TableAnswer.response(rows, format: format, name: "observations", more: [("metric", .string(metric))])
    }
}

extension API {
    /// The JSON report's object for `assessment`, each point of its series with `derived_from`
    /// (the figures its progress came from, as `latest` names them; none where the point only
    /// draws the plan), and `figures`: each figure named there once, by period, with its value,
    /// qualifier, publication date, revision, source and note. Named rather than repeated per
    /// point, since a running total's point names every figure before it.
    static func withFigures(_ report: JSONValue, _ assessment: Assessment, _ figures: [FigureReader.Figure]) -> JSONValue {
        guard case .object(var fields) = report, let index = fields.firstIndex(where: { $0.0 == "series" }),
            case .array(let points) = fields[index].1
        else { return report }
        // Each point's figures as JSON text made along its chain, and every figure named.
        let (texts, named) = ProgressPoint.derivedFromJSON(assessment.points + (assessment.latest.map { [$0] } ?? []))
        let derivedFrom = Dictionary(zip(assessment.points.map(\.date), texts), uniquingKeysWith: { first, _ in first })
        fields[index].1 = .array(
            zip(points, assessment.series).map { point, seriesPoint in
                guard case .object(let pointFields) = point else { return point }
                let references = seriesPoint.progress == nil ? "[]" : derivedFrom[seriesPoint.date] ?? "[]"
                return .object(pointFields + [("derived_from", .written(references))])
            })
        fields.append(("figures", .written(figuresJSON(figures, named: named))))
        return .object(fields)
    }

    /// The figures named, each with its provenance, as compact JSON text: written as it goes
    /// rather than built as values first (an answer lists up to hundreds, a dozen fields each).
    private static func figuresJSON(_ figures: [FigureReader.Figure], named: Set<String>) -> String {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var json = CompactJSONWriter(capacity: named.count * 256)
        var sources: [String: JSONValue] = [:]
        json.beginArray()
        for figure in figures {
            let reference = figure.reference
            guard named.contains(reference) else { continue }
            json.beginObject()
            json.key("ref")
            json.value(.string(reference))
            json.key("period_start")
            json.value(figure.periodStart)
            json.key("period_end")
            json.value(figure.periodEnd)
            json.key("value")
            json.value(.decimal(figure.value))
            json.key("qualifier")
            json.value(.string(figure.qualifier.rawValue))
            json.key("published_on")
            json.value(figure.publishedOn)
            json.key("revision")
            json.value(.number(String(figure.revision)))
            json.key("source")
            if let source = figure.source {
                // Most figures of a metric share one source: its object is written once.
                if sources[source] == nil {
                    var object = CompactJSONWriter()
                    object.beginObject()
                    object.key("key")
                    object.value(.string(source))
                    object.key("title")
                    object.value(text(figure.sourceTitle))
                    object.key("url")
                    object.value(text(figure.sourceURL))
                    object.endObject()
                    sources[source] = .written(object.text)
                }
                json.value(sources[source]!)
            } else {
                json.value(.null)
            }
            json.key("note")
            json.value(text(figure.note))
            json.endObject()
        }
        json.endArray()
        return json.text
    }
}
