import HeadwayPostgres
import TestSupport
import Testing

/// A query spliced into another (a condition shared by two statements) keeps each value bound
/// to its own placeholder.
@Suite struct SQLQueryCompositionTests {
    @Test func aSplicedQueryIsRenumberedAfterTheParametersBeforeIt() throws {
        let condition: SQLQuery = "name = \("b") AND note <> '$1 \"$2\"' AND amount > \(2)"
        let query: SQLQuery = "SELECT \("a")::text WHERE \(condition) AND id = \(7) OR \(condition)"
        #expect(query.sql == "SELECT $1::text WHERE name = $2 AND note <> '$1 \"$2\"' AND amount > $3 AND id = $4 OR name = $5 AND note <> '$1 \"$2\"' AND amount > $6")
        #expect(query.parameters == ["a", "b", "2", "7", "b", "2"])
    }

    @Test func theDatabaseSeesEachValueInItsPlace() throws {
        let connection = try TestDatabase.connect(migrated: false)
        let inner: SQLQuery = "\(10)::int + \(20)::int"
        let row = try #require(try connection.query("SELECT \(1)::int, \(inner), \("x")::text").first)
        #expect(try row.decode(Int.self, at: 0) == 1)
        #expect(try row.decode(Int.self, at: 1) == 30)
        #expect(try row.decode(String.self, at: 2) == "x")
    }
}
