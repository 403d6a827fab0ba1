import HeadwayPostgres
import HeadwayReport

extension DashboardReader {
    /// What a status badge says of a commitment: its title and stored present status.
    public struct Headline: Sendable, Equatable {
        public let key: String
        public let title: String
        /// Nil until the commitment is first assessed.
        public let status: Assessment.Status?
        public let probabilityMet: Double?
    }

    /// The headline of commitment `key` from `headway.commitment_status`; nil when there is none.
    public func headline(of key: String) throws -> Headline? {
        try connection.query("SELECT key, title, status, probability_met FROM headway.commitment_status WHERE key = \(key)").first.map { row in
            Headline(
                key: try row.decode(column: "key"), title: try row.decode(column: "title"),
                status: try row.decode(Assessment.Status?.self, column: "status"), probabilityMet: try row.decode(Double?.self, column: "probability_met"))
        }
    }
}
