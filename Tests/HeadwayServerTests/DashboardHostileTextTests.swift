import Foundation
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// The hostile-text suite on the dashboard's pages: every value escaped, no markup, script or
/// terminal control gets through, and no link leads anywhere but this server.
@Suite struct DashboardHostileTextTests {
    /// A database holding the hostile definitions and figures, assessed as of today.
    static func create() throws -> String {
        let url = try TestDatabase.create()
        let connection = try PostgresConnection(url: url)
        let definitions = String(decoding: try HostileText.definitions(), as: UTF8.self)
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: definitions, fileName: "hostile.json"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).csv")
        try HostileText.figures().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try ObservationLoader(connection: connection).load([file.path])
        try AssessmentStore(connection: connection).assessAndStore()
        return url
    }

    /// The hostile pages, as paths: the overview (searched for a script tag too) and every
    /// commitment and metric page.
    static var paths: [String] {
        ["/", "/?q=%3Cscript%3E", "/?tag=\(pathSegment(HostileText.key(6)))"]
            + HostileText.textValues.indices.flatMap { ["/commitments/\(pathSegment(HostileText.key($0)))", "/metrics/\(pathSegment(HostileText.key($0)))"] }
    }

    @Test func everyValueIsEscapedOnEveryPage() async throws {
        let server = try await RunningServer(url: try Self.create())
        var overview = ""
        for path in Self.paths {
            let answer = try await server.get(path)
            #expect(answer.status == 200, "\(path)")
            let page = answer.text
            if path == "/" { overview = page }
            #expect(!page.contains("<script>") && !page.contains("<img"), "\(path)")
            #expect(page.components(separatedBy: "<script").count == 2, "\(path): one script, the dashboard's own")
            #expect(HostileText.controls(in: page) == [], "\(path)")
            for reference in page.matches(of: #/ (?:src|href|action)="([^"]*)"/#).map({ String($0.output.1) }) {
                #expect(reference.hasPrefix("/") || reference.hasPrefix("#"), "\(path): \(reference.prefix(80))")
            }
        }
        #expect(overview.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(Self.listedCount(overview) == HostileText.textValues.count)
        try await server.stop()
    }

    /// The API's CSV goes to spreadsheets: every text field that starts as a formula would
    /// (=, +, -, @, tab, carriage return) comes with a leading ', under the one CSV policy
    /// (docs/FORMATS.md), and no field a spreadsheet would run is left.
    @Test func theAPIsCSVDefusesFormulas() async throws {
        let server = try await RunningServer(url: try Self.create())
        func defused(_ text: String) -> String {
            guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
            return "'" + text
        }
        let commitments = ReadEndpointsTests.parseCSV(String(decoding: try await server.get("/api/v1/commitments?limit=1000&format=csv").body, as: UTF8.self))
        let header = try #require(commitments.first)
        let (key, title) = (try #require(header.firstIndex(of: "key")), try #require(header.firstIndex(of: "title")))
        #expect(commitments.count == HostileText.textValues.count + 1)
        for index in HostileText.textValues.indices {
            let row = try #require(commitments.first { $0[key] == defused(HostileText.key(index)) }, "\(index)")
            #expect(row[title] == defused(HostileText.text(index)), "\(index)")
        }
        let formula = HostileText.key(7)
        let observations = ReadEndpointsTests.parseCSV(
            String(decoding: try await server.get("/api/v1/metrics/\(pathSegment(formula))/observations?format=csv").body, as: UTF8.self))
        let note = try #require(observations.first?.firstIndex(of: "note"))
        #expect(observations.dropFirst().map { $0[note] } == [defused(HostileText.text(7))])
        try await server.stop()
        for field in (commitments + observations).joined() {
            if let field, let first = field.first { #expect(!"=+-@\t\r".contains(first) || Double(field) != nil, "\(field.prefix(40))") }
        }
    }

    static func listedCount(_ page: String) -> Int { page.components(separatedBy: "<td class=\"what\">").count - 1 }
}
