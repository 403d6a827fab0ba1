import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import HeadwayStore
import Testing

@Suite struct AssessmentStoreTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"

    private func fixture() throws -> LoaderFixture {
        let fixture = try LoaderFixture()
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(
                text: """
                    commitments:
                      - key: closures-100
                        title: Close 100 lines in 2024
                        metric: closures
                        baseline: { date: 2024-01 }
                        target: { value: 100 }
                        deadline: 2024-12
                    """, fileName: "c.yaml"))
        return fixture
    }

    @Test func asOfSeesOnlyWhatWasPublishedThenInTheRevisionCurrentThen() throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,first release\n")
        try fixture.load(Self.header + "closures,2024-01,2024-06,60,,answer,2024-08-10,revised\n")
        let store = AssessmentStore(connection: fixture.connection)
        func progress(_ asOf: String) throws -> Decimal? { try store.assess(asOf: try CivilDate(parsing: asOf)).first?.progress }
        #expect(try progress("2024-07-01") == nil)
        #expect(try progress("2024-07-31") == 50)
        #expect(try progress("2024-08-31") == 60)
        let before = try store.assess(asOf: try CivilDate(parsing: "2024-07-31"))
        #expect(before.first?.status == .onTrack)  // 50 by mid-year heads for 100
        #expect(JSONReport.render(before, asOf: try CivilDate(parsing: "2024-07-31"))
            == JSONReport.render(try store.assess(asOf: try CivilDate(parsing: "2024-07-31")), asOf: try CivilDate(parsing: "2024-07-31")))
    }

    @Test func everyEvaluationIsKept() throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,\n")
        let store = AssessmentStore(connection: fixture.connection)
        try store.assessAndStore(asOf: try CivilDate(parsing: "2024-07-31"))
        try store.assessAndStore(asOf: try CivilDate(parsing: "2025-01-31"))
        let rows = try fixture.connection.query(
            "SELECT as_of::text, status, method_version, commitment_version, result->>'progress' FROM headway.assessments ORDER BY id")
        #expect(rows.map(\.values) == [["2024-07-31", "on_track", Assessment.methodVersion, "1", "50"], ["2025-01-31", "missed", Assessment.methodVersion, "1", "50"]])
        #expect(throws: HeadwayError.self) { try store.assess(keys: ["nope"], asOf: try CivilDate(parsing: "2024-07-31")) }
    }
}
