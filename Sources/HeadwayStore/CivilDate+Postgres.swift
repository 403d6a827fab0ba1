import HeadwayModel
import HeadwayPostgres

extension CivilDate: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { description }

    /// Reads a PostgreSQL `date` (ISO DateStyle).
    public init(postgresText text: String) throws {
        var text = text
        if let fast = text.withUTF8(Self.parseISO) {
            self = fast
            return
        }
        do {
            self = try CivilDate(parsing: text)
        } catch {
            throw PostgresError(kind: .decoding, message: "cannot read \(String(reflecting: text)) as a date")
        }
    }

    public init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws {
        if let fast = Self.parseISO(bytes) {
            self = fast
            return
        }
        try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }

    /// The fixed ISO form, `YYYY-MM-DD`, read without Foundation: reports read millions.
    private static func parseISO(_ bytes: UnsafeBufferPointer<UInt8>) -> CivilDate? {
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
}
