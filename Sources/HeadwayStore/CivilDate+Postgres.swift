import HeadwayModel
import HeadwayPostgres

extension CivilDate: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { description }

    /// Reads a PostgreSQL `date` (ISO DateStyle).
    public init(postgresText text: String) throws {
        do {
            self = try CivilDate(parsing: text)
        } catch {
            throw PostgresError(kind: .decoding, message: "cannot read \(String(reflecting: text)) as a date")
        }
    }
}
