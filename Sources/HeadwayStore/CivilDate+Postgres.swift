import HeadwayModel
import HeadwayPostgres

extension CivilDate: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { description }

    /// Reads a PostgreSQL `date` (ISO DateStyle).
    public init(postgresText text: String) throws {
        // Fast path for the fixed ISO form; reports read millions of these.
        var text = text
        let fast: CivilDate? = text.withUTF8 { bytes in
            guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(bytes[index]) &- 48
                    guard digit >= 0, digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return CivilDate(year: year, month: month, day: day)
        }
        if let fast {
            self = fast
            return
        }
        do {
            self = try CivilDate(parsing: text)
        } catch {
            throw PostgresError(kind: .decoding, message: "cannot read \(String(reflecting: text)) as a date")
        }
    }
}
