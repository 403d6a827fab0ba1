import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

extension ObservationCatalog {
    /// The metrics and sources currently defined in the database.
    public static func load(_ connection: PostgresConnection) throws -> ObservationCatalog {
        var kinds: [String: Metric.Kind] = [:]
        var bounds: [String: ObservationCatalog.Bounds] = [:]
        for row in try connection.query("SELECT key, kind, min_value, max_value FROM headway.metrics") {
            let key = try row.decode(String.self, at: 0)
            kinds[key] = Metric.Kind(rawValue: try row.decode(String.self, at: 1))
            let (minimum, maximum) = (try row.decode(Decimal?.self, at: 2), try row.decode(Decimal?.self, at: 3))
            if minimum != nil || maximum != nil { bounds[key] = ObservationCatalog.Bounds(minimum: minimum, maximum: maximum) }
        }
        var sources: [String: CivilDate?] = [:]
        for row in try connection.query("SELECT key, published_on FROM headway.sources") {
            sources[try row.decode(String.self, at: 0)] = try row.decode(CivilDate?.self, at: 1)
        }
        return ObservationCatalog(metricKinds: kinds, sourcePublishedOn: sources, bounds: bounds)
    }
}
