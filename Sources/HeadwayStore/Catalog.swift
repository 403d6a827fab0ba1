import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

extension ObservationCatalog {
    /// The metrics and sources currently defined in the database.
    public static func load(_ connection: PostgresConnection) throws -> ObservationCatalog {
        var kinds: [String: Metric.Kind] = [:]
        for row in try connection.query("SELECT key, kind FROM headway.metrics") {
            kinds[try row.decode(String.self, at: 0)] = Metric.Kind(rawValue: try row.decode(String.self, at: 1))
        }
        var sources: [String: CivilDate?] = [:]
        for row in try connection.query("SELECT key, published_on FROM headway.sources") {
            sources[try row.decode(String.self, at: 0)] = try row.decode(CivilDate?.self, at: 1)
        }
        return ObservationCatalog(metricKinds: kinds, sourcePublishedOn: sources)
    }
}
