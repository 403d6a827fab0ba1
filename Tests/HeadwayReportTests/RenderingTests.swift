import Foundation
import HeadwayModel
import HeadwayReport
import Testing

@Suite struct RenderingTests {
    static let hostile = "<script>alert(1)</script> \"quoted\" & 'single' | `tick` \u{1B}[31mred\u{07} =cmd"

    static func assessment() -> Assessment {
        var commitment = AssessorTests.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        commitment.title = hostile
        commitment.key = "key-\(hostile)"
        return Assessor.assess(
            commitment, metric: AssessorTests.closures, figures: [AssessorTests.amount("2024-01", "2024-03", 30, .atLeast)],
            asOf: AssessorTests.date("2024-04-01"))
    }

    @Test func sameInputSameBytes() {
        let a = Self.assessment()
        let asOf = AssessorTests.date("2024-04-01")
        #expect(JSONReport.render([a], asOf: asOf) == JSONReport.render([Self.assessment()], asOf: asOf))
        #expect(HTMLReport.render([a], asOf: asOf) == HTMLReport.render([Self.assessment()], asOf: asOf))
    }

    @Test func jsonCarriesTheDesignFieldsAndParses() throws {
        let text = JSONReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["as_of"] as? String == "2024-04-01")
        let first = try #require((object["commitments"] as? [[String: Any]])?.first)
        for field in [
            "key", "title", "metric", "unit", "status", "baseline", "target", "deadline", "latest", "progress", "percent_complete",
            "percent_time_elapsed", "achieved_on", "days_early", "pace", "projection", "schedule_variance_days", "series",
        ] {
            #expect(first.keys.contains(field), "\(field)")
        }
        #expect(first["title"] as? String == Self.hostile)
        #expect((first["projection"] as? [String: Any])?["method"] as? String == "linear_recent_pace")
    }

    @Test func htmlEscapesAndFetchesNothing() {
        let html = HTMLReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        #expect(html.contains("<svg"))
    }

    @Test func textNeutralisesTerminalEscapes() {
        let text = TextReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("\u{FFFD}[31mred"))
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = CSVReport.render([Self.assessment()])
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("key,title,metric,unit,status,"))
        #expect(lines[1].contains("\"key-<script>alert(1)</script> \"\"quoted\"\""))
        #expect(CSVReport.render([]).hasPrefix("key,"))
    }

    @Test func markdownEscapesTableBreakers() {
        let markdown = MarkdownReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(markdown.contains("\\|"))
        #expect(!markdown.contains("<script>"))
    }
}
