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
            var parts = [0, 0, 0]
            for (part, range) in [(0, 0..<4), (1, 5..<7), (2, 8..<10)] {
                for index in range {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    parts[part] = parts[part] * 10 + digit
                }
            }
            return CivilDate(year: parts[0], month: parts[1], day: parts[2])
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
