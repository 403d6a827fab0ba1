import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import HeadwayStore
import TestSupport
import Testing

/// The read API against a real PostgreSQL, over real HTTP: answers compared with the views and
/// the JSON report they stand for.
@Suite struct ReadAPITests {
    @Test func theListIsTheCommitmentStatusViewRowForRow() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/commitments?limit=1000")
        try await server.stop()
        #expect(answer.status == 200)
        #expect(answer.contentType == "application/json")
        #expect(answer.object["next_cursor"] is NSNull)
        let rows = answer.object["commitments"] as? [[String: Any]] ?? []
        let connection = try PostgresConnection(url: url)
        let columns = try connection.query("SELECT * FROM headway.commitment_status LIMIT 0").first?.columns.names
            ?? connection.query("SELECT attname FROM pg_attribute WHERE attrelid = 'headway.commitment_status'::regclass AND attnum > 0 ORDER BY attnum")
            .map { try $0.decode(String.self, at: 0) }
        #expect(rows.count == 4)
        for row in rows { #expect(Set(row.keys) == Set(columns)) }
        // PostgreSQL itself reads the JSON back into the view's row type and compares, so every
        // column is checked with its own type's equality (numeric, date, array, boolean...).
        let page = String(data: try JSONSerialization.data(withJSONObject: rows), encoding: .utf8)!
        let differences = try connection.query(
            """
            SELECT count(*) FROM (
                (SELECT * FROM json_populate_recordset(NULL::headway.commitment_status, \(page)::json)
                 EXCEPT ALL SELECT * FROM headway.commitment_status)
                UNION ALL
                (SELECT * FROM headway.commitment_status
                 EXCEPT ALL SELECT * FROM json_populate_recordset(NULL::headway.commitment_status, \(page)::json))) d
            """)[0].decode(Int.self, at: 0)
        #expect(differences == 0)
        #expect(rows.map { $0["key"] as? String } == ["Drugs strategy: 2,000/yr closures", "closures-100", "officers-1500", "zz-unassessed"])
        #expect(rows.last?["status"] is NSNull)
    }

    @Test func oneCommitmentIsTheJSONReportsObjectForIt() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let connection = try PostgresConnection(url: url)
        for key in ["closures-100", Portfolio.awkwardKey] {
            let answer = try await server.get("/api/v1/commitments/\(pathSegment(key))")
            #expect(answer.status == 200)
            #expect(answer.contentType == "application/json")
            let date = CivilDate.today()
            let report = JSONReport.render(try AssessmentStore(connection: connection).assess(asOf: date), asOf: date)
            let reported = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
            let object = (reported?["commitments"] as? [[String: Any]])?.first { $0["key"] as? String == key }
            #expect(object != nil)
            // The API adds the figures the points came from (ReadEndpointsTests); the rest is the report's.
            #expect((Self.reportPart(answer.object) as NSDictionary).isEqual(to: object ?? [:]))
            #expect((answer.object["series"] as? [Any])?.isEmpty == false)
        }
        try await server.stop()
    }

    /// One commitment's answer without what the API adds to the JSON report's object: the
    /// figures, and each point's `derived_from`.
    static func reportPart(_ answer: [String: Any]) -> [String: Any] {
        var part = answer.filter { $0.key != "figures" }
        part["series"] = (answer["series"] as? [[String: Any]])?.map { point in point.filter { $0.key != "derived_from" } }
        return part
    }

    @Test func asOfComputesAPastAssessmentAndStoresNothing() async throws {
        let url = try Portfolio.create()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        let before = try TestDatabase.snapshot(connection)
        let answer = try await server.get("/api/v1/commitments/closures-100?as_of=2024-07")
        let now = try await server.get("/api/v1/commitments/closures-100")
        let unchanged = try TestDatabase.snapshot(connection)
        let tooEarly = try await server.get("/api/v1/commitments/officers-1500?as_of=2024-05-31")
        try await server.stop()
        #expect(answer.status == 200)
        let past = try AssessmentStore(connection: connection).assess(keys: ["closures-100"], asOf: try CivilDate(parsing: "2024-07-31"))
        #expect(answer.object["as_of"] as? String == "2024-07-31")
        let reported = try JSONSerialization.jsonObject(with: Data(JSONReport.value(past[0]).compactText.utf8)) as? [String: Any]
        #expect((Self.reportPart(answer.object) as NSDictionary).isEqual(to: reported ?? [:]))
        // Only the first two quarters (20 + 30) had been published by the end of July; today all three.
        #expect((answer.object["latest"] as? [String: Any])?["value"] as? Int == 50)
        #expect((now.object["latest"] as? [String: Any])?["value"] as? Int == 75)
        #expect(unchanged == before)
        // Made in June 2024: it did not exist at the end of May.
        #expect(tooEarly.status == 404)
        #expect(tooEarly.contentType == "application/problem+json")
    }

    @Test func filtersKeepTheRowsTheyName() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        func keys(_ query: String) async throws -> [String] {
            let answer = try await server.get("/api/v1/commitments?\(query)")
            #expect(answer.status == 200, "\(query)")
            return (answer.object["commitments"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        }
        #expect(try await keys("tag=crime") == [Portfolio.awkwardKey, "closures-100"])
        #expect(try await keys("tag=policing") == ["officers-1500"])
        #expect(try await keys("metric=officers") == ["officers-1500", "zz-unassessed"])
        #expect(try await keys("q=LINE") == [Portfolio.awkwardKey, "closures-100"])  // titles, any case
        #expect(try await keys("q=zz-") == ["zz-unassessed"])  // keys
        #expect(try await keys("q=%25") == [])  // no wildcard
        #expect(try await keys("status=unassessed") == ["zz-unassessed"])
        #expect(try await keys("stale=true") == ["zz-unassessed"])  // never assessed
        #expect(try await keys("stale=false&metric=closures") == [Portfolio.awkwardKey, "closures-100"])
        #expect(try await keys("metric=closures&tag=lines") == ["closures-100"])
        // Each status keeps exactly the rows in it; several statuses keep their union.
        let whole = try await server.get("/api/v1/commitments")
        var byStatus: [String: [String]] = [:]
        for row in whole.object["commitments"] as? [[String: Any]] ?? [] {
            byStatus[row["status"] as? String ?? "unassessed", default: []].append(row["key"] as? String ?? "")
        }
        #expect(byStatus.count >= 2)
        for (status, expected) in byStatus { #expect(try await keys("status=\(status)") == expected) }
        let two = byStatus.keys.sorted().prefix(2)
        #expect(Set(try await keys(two.map { "status=\($0)" }.joined(separator: "&"))) == Set(two.flatMap { byStatus[$0]! }))
        #expect(try await keys("status=missed&status=achieved_late&metric=nothing") == [])
        try await server.stop()
    }

    @Test func pagesFollowTheCursorThroughEveryRowOnce() async throws {
        let server = try await RunningServer(url: try Portfolio.create())
        let whole = try await server.get("/api/v1/commitments")
        let all = (whole.object["commitments"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        var walked: [String] = []
        var query = "limit=1"
        for _ in 0..<10 {
            let page = try await server.get("/api/v1/commitments?\(query)")
            #expect(page.status == 200)
            walked += (page.object["commitments"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            guard let cursor = page.object["next_cursor"] as? String else { break }
            query = "limit=1&cursor=\(pathSegment(cursor))"
        }
        #expect(all.count == 4)
        #expect(walked == all)
        try await server.stop()
    }

    @Test func theSummaryCountsWhatStatusCountsCounts() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/summary")
        try await server.stop()
        #expect(answer.status == 200)
        let counts = try StatusReader(connection: try PostgresConnection(url: url)).statusCounts()
        func expectCounts(_ object: Any?, tag: String?) {
            let object = object as? [String: Any] ?? [:]
            let byStatus = object["by_status"] as? [String: Int] ?? [:]
            let rows = counts.filter { $0.tag == tag }
            #expect(object["total"] as? Int == rows.reduce(0) { $0 + $1.commitments })
            #expect(byStatus.count == Assessment.Status.allCases.count + 1)
            for row in rows { #expect(byStatus[row.status] == row.commitments, "\(tag ?? "all") \(row.status)") }
            #expect(byStatus.values.reduce(0, +) == object["total"] as? Int)
        }
        expectCounts(answer.object, tag: nil)
        #expect(answer.object["total"] as? Int == 4)
        #expect((answer.object["by_status"] as? [String: Int])?["unassessed"] == 1)
        let byTag = answer.object["by_tag"] as? [String: Any] ?? [:]
        #expect(byTag.keys.sorted() == ["crime", "lines", "policing"])
        for tag in byTag.keys { expectCounts(byTag[tag], tag: tag) }
    }
}
