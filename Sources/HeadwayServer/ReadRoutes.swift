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
            let metrics = try await pool.withWorkspace { try $0.metrics.metrics(format: format) }
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
        guard let rows = try await pool.withWorkspace({ try $0.history(key: key, format: format) }) else {
            throw Problem.notFound("no commitment with key \(String(reflecting: key))")
        }
        return TableAnswer.response(rows, format: format, name: "history", more: [("key", .string(key))])
    }

    func observations(_ metric: String, _ filter: MetricReader.ObservationFilter, format: RowFormat) async throws -> Response {
        let rows = try await pool.withWorkspace { try $0.metrics.observations(metric: metric, filter, format: format) }
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
        fields.append(("figures", .array(figures.filter { named.contains($0.reference) }.map(figureValue))))
        return .object(fields)
    }

    private static func figureValue(_ figure: FigureReader.Figure) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("ref", .string(figure.reference)), ("period_start", text(figure.periodStart?.description)),
            ("period_end", .string(figure.periodEnd.description)), ("value", .decimal(figure.value)),
            ("qualifier", .string(figure.qualifier.rawValue)), ("published_on", .string(figure.publishedOn.description)),
            ("revision", .number(String(figure.revision))),
            ("source", figure.source.map { .object([("key", .string($0)), ("title", text(figure.sourceTitle)), ("url", text(figure.sourceURL))]) } ?? .null),
            ("note", text(figure.note)),
        ])
    }
}
