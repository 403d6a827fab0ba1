import Foundation
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@testable import HeadwayServer

#if canImport(Glibc)
    import Glibc
#endif

/// POST /api/v1/observations and /api/v1/definitions: what `headway load` and `apply` do, over
/// HTTP, with a write token; tokens, CORS, the body limit, and clients that go away.
@Suite(.serialized) struct WriteAPITests {
    /// A database with the portfolio's definitions and no figures, and a write and a read token.
    struct Fixture {
        let url: String
        let write: String
        let read: String

        init() throws {
            url = try TestDatabase.create()
            let connection = try PostgresConnection(url: url)
            _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: Portfolio.definitions, fileName: "portfolio.yaml"))
            let workspace = try Workspace(url: url)
            write = try workspace.tokens.create(name: "loader", scope: .write)
            read = try workspace.tokens.create(name: "dashboard", scope: .read)
        }

        /// Every stored figure, in a fixed order.
        func observations() throws -> [[String?]] {
            try PostgresConnection(url: url).query(
                """
                SELECT metric, period_start::text, period_end::text, revision::text, value::text, qualifier, source, published_on::text, note
                FROM headway.observations ORDER BY metric, period_start, period_end, revision
                """
            ).map { $0.values }
        }

        /// Every row of Headway's tables but the tokens' (whose last use a request notes).
        func snapshot() throws -> [String] { try TestDatabase.snapshot(try PostgresConnection(url: url)).filter { !$0.hasPrefix("api_tokens ") } }
    }

    static func summary(_ answer: RunningServer.Answer) -> [String: Int] {
        answer.object.compactMapValues { $0 as? Int }
    }

    @Test func aPostedCSVStoresWhatHeadwayLoadStoresAndAgainChangesNothing() async throws {
        let posted = try Fixture(), loaded = try Fixture()
        let server = try await RunningServer(url: posted.url)
        let answer = try await server.post("/api/v1/observations", Portfolio.figures, token: posted.write)
        #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        #expect(answer.contentType == "application/json")
        let folder = try ScratchDirectory("headway-post")
        let cli = try HeadwayBinary.run(["load", try folder.file("figures.csv", Portfolio.figures)], url: loaded.url)
        #expect(cli.status == 0, "\(cli.errors)")
        #expect(cli.output.hasPrefix("5 rows: 5 inserted, 0 unchanged, 0 revised, 0 rejected"), "\(cli.output)")
        #expect(Self.summary(answer) == ["rows": 5, "inserted": 5, "unchanged": 0, "revised": 0, "rejected": 0, "provenance_differs": 0, "published_later": 0])
        #expect(try posted.observations() == loaded.observations())
        #expect(try posted.observations().count == 5)
        // What the figures touch is re-assessed, as after `headway load`.
        let assessed = try PostgresConnection(url: posted.url).query(
            "SELECT key FROM headway.commitment_status WHERE status IS NOT NULL ORDER BY key COLLATE \"C\"").map { try $0.decode(String.self, at: 0) }
        #expect(assessed == [Portfolio.awkwardKey, "closures-100", "officers-1500", "zz-unassessed"].sorted())

        let before = try posted.snapshot()
        let again = try await server.post("/api/v1/observations", Portfolio.figures, token: posted.write)
        #expect(Self.summary(again)["unchanged"] == 5 && Self.summary(again)["inserted"] == 0)
        #expect(try posted.snapshot() == before)
        // A different value for a figure is a revision, as with `headway load`; and the answer
        // the server kept before it is not given again after it (a client reads its writes).
        let progress = { (answer: RunningServer.Answer) in (answer.object["latest"] as? [String: Any])?["value"] as? Int }
        let kept = try await server.get("/api/v1/commitments/closures-100")
        #expect(try await server.get("/api/v1/commitments/closures-100").body == kept.body)
        let revised = try await server.post(
            "/api/v1/observations", "metric,period_start,period_end,value,published_on\nclosures,2024-01,2024-03,21,2024-05-01\n", token: posted.write)
        #expect(Self.summary(revised)["revised"] == 1)
        let after = try await server.get("/api/v1/commitments/closures-100")
        #expect(progress(after).map { $0 - 1 } == progress(kept))
        try await server.stop()
        #expect(!server.log.text.contains { $0.contains(posted.write) || $0.contains("first quarter") })
    }

    /// The list's next page is read ahead while a page goes out; a write through the server
    /// in between must not leave the client that wrote it with the page read before the write.
    @Test func aPageReadAheadIsNotGivenAfterAWrite() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        let first = try await server.get("/api/v1/commitments?limit=1")
        let cursor = try #require(first.object["next_cursor"] as? String)
        let status = { (answer: RunningServer.Answer) in ((answer.object["commitments"] as? [[String: Any]])?.first?["status"]) as? String }
        // The second page (closures-100, not assessed yet) is read by now; the figures assess it.
        try await Task.sleep(for: .milliseconds(300))
        let posted = try await server.post("/api/v1/observations", Portfolio.figures, token: fixture.write)
        #expect(posted.status == 200)
        let second = try await server.get("/api/v1/commitments?limit=1&cursor=\(pathSegment(cursor))")
        let stored = try PostgresConnection(url: fixture.url).query(
            "SELECT status FROM headway.commitment_status WHERE key = 'closures-100'")[0].decode(String?.self, at: 0)
        #expect(stored != nil)
        #expect(status(second) == stored)
        try await server.stop()
    }

    /// The dashboard's overview reads its next page ahead as the list does: after a write, the
    /// next page is the state's, as a server that read nothing ahead shows it.
    @Test func anOverviewPageReadAheadIsNotGivenAfterAWrite() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        #expect(try await server.get("/?per_page=1").status == 200)
        // The second page is read by now; the figures assess its commitment, among others.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await server.post("/api/v1/observations", Portfolio.figures, token: fixture.write).status == 200)
        let second = try await server.get("/?per_page=1&page=2")
        try await server.stop()
        let fresh = try await RunningServer(url: fixture.url)
        let expected = try await fresh.get("/?per_page=1&page=2")
        try await fresh.stop()
        #expect(second.status == 200)
        #expect(String(decoding: second.body, as: UTF8.self) == String(decoding: expected.body, as: UTF8.self))
    }

    @Test func aBadRowIs400NamingItsLineAndColumnAndWritesNothing() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        let before = try fixture.snapshot()
        let body = "metric,period_start,period_end,value,published_on\nclosures,2024-01,2024-03,20,2024-04-05\nclosures,2024-04,2024-06,ten,2024-07-10\n"
        let answer = try await server.post("/api/v1/observations", body, token: fixture.write)
        ServerOperationsTests.expectProblem(answer, 400)
        #expect(answer.object["line"] as? Int == 3)
        #expect(answer.object["column"] as? String == "value")
        #expect((answer.object["detail"] as? String)?.hasPrefix("request body:3: column value:") == true, "\(answer.object)")
        #expect((answer.object["errors"] as? [Any])?.count == 1)
        // Unknown columns and metrics too; and the wrong types of body.
        let unknown = try await server.post("/api/v1/observations", "metric,period_end,value,colour\n", token: fixture.write)
        ServerOperationsTests.expectProblem(unknown, 400)
        #expect(unknown.object["line"] as? Int == 1)
        for contentType in ["text/plain", "application/x-www-form-urlencoded", ""] {
            let refused = try await server.post("/api/v1/observations", body, contentType: contentType, token: fixture.write)
            ServerOperationsTests.expectProblem(refused, 415)
        }
        ServerOperationsTests.expectProblem(try await server.post("/api/v1/definitions", "{}", contentType: "text/csv", token: fixture.write), 415)
        let get = try await server.get("/api/v1/observations")
        ServerOperationsTests.expectProblem(get, 405)
        #expect(get.headers["allow"] == "POST")
        #expect(try fixture.snapshot() == before)
        try await server.stop()
    }

    @Test func jsonRowsLoadLikeTheirCSV() async throws {
        let posted = try Fixture(), loaded = try Fixture()
        let server = try await RunningServer(url: posted.url)
        let rows = """
            [{"metric": "closures", "period_start": "2024-01", "period_end": "2024-03", "value": 20, "source": "answer", "published_on": "2024-04-05", "note": "first quarter"},
             {"metric": "closures", "period_start": "2024-04", "period_end": "2024-06", "value": 30, "qualifier": null, "source": "answer", "published_on": "2024-07-10", "note": "second\\nquarter, \\"quoted\\" \\u00e9"},
             {"metric": "officers", "period_end": "2024-03-31", "value": 1100.5, "source": "answer", "published_on": "2024-04-05"}]
            """
        let answer = try await server.post("/api/v1/observations", rows, contentType: "application/json", token: posted.write)
        #expect(answer.status == 200, "\(answer.object)")
        #expect(Self.summary(answer)["inserted"] == 3)
        let csv = """
            metric,period_start,period_end,value,source,published_on,note
            closures,2024-01,2024-03,20,answer,2024-04-05,first quarter
            closures,2024-04,2024-06,30,answer,2024-07-10,"second
            quarter, ""quoted"" é"
            officers,,2024-03-31,1100.5,answer,2024-04-05,

            """
        #expect(try await server.post("/api/v1/observations", csv, token: posted.write).object["unchanged"] as? Int == 3)
        try await server.stop()
        _ = loaded

        // A bad value is named by its row in the array (after a note with a line break in it).
        let server2 = try await RunningServer(url: posted.url)
        let before = try posted.snapshot()
        let bad = """
            [{"metric": "closures", "period_start": "2024-07", "period_end": "2024-09", "value": 25, "note": "a\\nb\\nc", "published_on": "2024-10-10"},
             {"metric": "closures", "period_start": "2024-10", "period_end": "2024-12", "value": "lots", "published_on": "2025-01-10"}]
            """
        let refused = try await server2.post("/api/v1/observations", bad, contentType: "application/json", token: posted.write)
        ServerOperationsTests.expectProblem(refused, 400)
        #expect(refused.object["row"] as? Int == 2, "\(refused.object)")
        #expect(refused.object["column"] as? String == "value")
        #expect((refused.object["detail"] as? String)?.hasPrefix("request body: row 2: column value:") == true, "\(refused.object)")
        for malformed in [#"{"metric": "closures"}"#, #"[{"metric": "closures", "colour": "red"}]"#, #"[{"metric": ["closures"]}]"#, "[{\"metric\": \"x\"}"] {
            let answer = try await server2.post("/api/v1/observations", malformed, contentType: "application/json", token: posted.write)
            ServerOperationsTests.expectProblem(answer, 400)
            #expect(answer.object["line"] as? Int == 1, "\(malformed): \(answer.object)")
        }
        #expect(try posted.snapshot() == before)
        try await server2.stop()
    }

    /// Official statistics posted in their publishers' formats, with `headway import`'s options
    /// as query parameters: the same figures as the command stores, errors at the file's own line
    /// or JSON path, nothing written on a refusal.
    @Test func publishersFilesImportAsHeadwayImportDoes() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        let sdmx = """
            DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
            ESTAT:X(1.0),05/04/24 11:00:00,Q,UK,2024-Q1,20,p
            ESTAT:X(1.0),05/04/24 11:00:00,Q,FR,2024-Q1,99,

            """
        let ambiguous = try await server.post("/api/v1/observations?metric=closures", sdmx, contentType: "application/vnd.sdmx.data+csv", token: fixture.write)
        ServerOperationsTests.expectProblem(ambiguous, 400)
        #expect((ambiguous.object["detail"] as? String)?.contains("geo (FR, UK) vary") == true, "\(ambiguous.object)")
        let imported = try await server.post(
            "/api/v1/observations?metric=closures&where=geo%3DUK", sdmx, contentType: "application/vnd.sdmx.data+csv", token: fixture.write)
        #expect(imported.status == 200, "\(imported.object)")
        #expect(imported.object["format"] as? String == "sdmx-csv" && Self.summary(imported)["inserted"] == 1 && Self.summary(imported)["other_series"] == 1)
        let stored = try fixture.observations().first { $0[0] == "closures" }
        #expect(stored == ["closures", "2024-01-01", "2024-03-31", "1", "20", "exact", nil, "2024-04-05", "OBS_FLAG=p"], "\(String(describing: stored))")
        let noMetric = try await server.post("/api/v1/observations", sdmx, contentType: "application/vnd.sdmx.data+csv", token: fixture.write)
        ServerOperationsTests.expectProblem(noMetric, 400)

        let before = try fixture.snapshot()
        let jsonStat = """
            {"version":"2.0","class":"dataset","updated":"2024-04-05","id":["time"],"size":[2],
             "dimension":{"time":{"category":{"index":["2024-03-31","2024-06-30"]}}},"value":[1100,"many"]}
            """
        let refused = try await server.post("/api/v1/observations?metric=officers", jsonStat, contentType: "application/json", token: fixture.write)
        ServerOperationsTests.expectProblem(refused, 400)
        #expect(refused.object["path"] as? String == "value[1]" && refused.object["column"] as? String == "value", "\(refused.object)")
        #expect((refused.object["detail"] as? String)?.hasPrefix("request body: value[1]: column value:") == true, "\(refused.object)")
        #expect(try fixture.snapshot() == before)
        let mended = try await server.post(
            "/api/v1/observations?metric=officers&format=json-stat", jsonStat.replacingOccurrences(of: "\"many\"", with: "1120.5"), contentType: "application/json",
            token: fixture.write)
        #expect(mended.status == 200 && Self.summary(mended)["inserted"] == 2, "\(mended.object)")
        let unknown = try await server.post("/api/v1/observations?metric=officers&format=xls", jsonStat, contentType: "application/json", token: fixture.write)
        ServerOperationsTests.expectProblem(unknown, 400)
        try await server.stop()
    }

    @Test func definitionsAreAppliedAsHeadwayApplyDoes() async throws {
        let url = try TestDatabase.create()
        let token = try Workspace(url: url).tokens.create(name: "editor", scope: .write)
        let server = try await RunningServer(url: url)
        let first = try await server.post("/api/v1/definitions", Portfolio.definitions, contentType: "application/yaml", token: token)
        #expect(first.status == 200, "\(first.object)")
        #expect(Self.summary(first) == ["created": 7, "updated": 0, "unchanged": 0])
        let again = try await server.post("/api/v1/definitions", Portfolio.definitions, contentType: "application/yaml", token: token)
        #expect(Self.summary(again) == ["created": 0, "updated": 0, "unchanged": 7])
        let json = #"{"metrics": [{"key": "closures", "name": "County lines closed", "unit": "closures", "kind": "additive"}]}"#
        let updated = try await server.post("/api/v1/definitions", json, contentType: "application/json", token: token)
        #expect(Self.summary(updated)["updated"] == 1)
        #expect((updated.object["changes"] as? [[String: Any]])?.first?["fields"] as? [String] == ["unit"])
        let before = try TestDatabase.snapshot(try PostgresConnection(url: url))
        let bad = try await server.post(
            "/api/v1/definitions", "metrics:\n  - key: lines\n    name: Lines\n    unit: lines\n    kind: sideways\n", contentType: "application/yaml", token: token)
        ServerOperationsTests.expectProblem(bad, 400)
        #expect(bad.object["line"] as? Int == 5, "\(bad.object)")
        #expect(bad.object["column"] as? String == "kind")
        #expect(try TestDatabase.snapshot(try PostgresConnection(url: url)) == before)
        try await server.stop()
    }

    @Test func writesNeedAWriteTokenAndReadsOneOnlyWhenRequired() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        let before = try fixture.snapshot()
        let none = try await server.post("/api/v1/observations", Portfolio.figures)
        ServerOperationsTests.expectProblem(none, 401)
        #expect(none.headers["www-authenticate"] == "Bearer")
        for wrong in ["hw_" + String(repeating: "A", count: 43), "not-a-token", String(fixture.write.dropLast()) + "x"] {
            ServerOperationsTests.expectProblem(try await server.post("/api/v1/observations", Portfolio.figures, token: wrong), 401)
        }
        let readOnly = try await server.post("/api/v1/observations", Portfolio.figures, token: fixture.read)
        ServerOperationsTests.expectProblem(readOnly, 403)
        ServerOperationsTests.expectProblem(try await server.post("/api/v1/definitions", "{}", contentType: "application/json", token: fixture.read), 403)
        #expect(try fixture.snapshot() == before)
        // Reads are open by default.
        #expect(try await server.get("/api/v1/commitments").status == 200)
        try Workspace(url: fixture.url).tokens.revoke(name: "loader")
        ServerOperationsTests.expectProblem(try await server.post("/api/v1/observations", Portfolio.figures, token: fixture.write), 401)
        try await server.stop()
        #expect(!server.log.text.contains { $0.contains(fixture.write) || $0.contains(fixture.read) })

        let guarded = try await RunningServer(url: fixture.url) { $0.requireReadToken = true }
        ServerOperationsTests.expectProblem(try await guarded.get("/api/v1/commitments"), 401)
        ServerOperationsTests.expectProblem(try await guarded.get("/api/v1/summary", headers: ["Authorization": "Bearer \(fixture.write)"]), 401)  // revoked
        #expect(try await guarded.get("/api/v1/commitments", headers: ["Authorization": "Bearer \(fixture.read)"]).status == 200)
        #expect(try await guarded.get("/api/v1/summary", headers: ["Authorization": "bearer \(fixture.read)"]).status == 200)
        for open in ["/healthz", "/readyz", "/api/v1/openapi.json"] { #expect(try await guarded.get(open).status == 200, "\(open)") }
        try await guarded.stop()
        let used = try PostgresConnection(url: fixture.url).query("SELECT name FROM headway.api_tokens WHERE last_used_at IS NOT NULL ORDER BY name")
        #expect(try used.map { try $0.decode(String.self, at: 0) } == ["dashboard"])
    }

    @Test func aBodyOverTheLimitIs413AndWritesNothing() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url) { $0.maxBodyBytes = 200 }
        let before = try fixture.snapshot()
        #expect(Portfolio.figures.utf8.count > 200)
        ServerOperationsTests.expectProblem(try await server.post("/api/v1/observations", Portfolio.figures, token: fixture.write), 413)
        ServerOperationsTests.expectProblem(
            try await server.post("/api/v1/definitions", Portfolio.definitions, contentType: "application/yaml", token: fixture.write), 413)
        #expect(try fixture.snapshot() == before)
        try await server.stop()
    }

    /// A client that asks for `100 Continue` before sending its body (curl does, past 1 MB) gets
    /// it at once, then the answer; one declaring a body over the limit gets the 413 instead.
    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url) { $0.maxBodyBytes = 10_000 }
        let (port, body, token) = (server.port, Portfolio.figures, fixture.write)
        let (interim, answer) = try await offloaded { () throws -> (Bool, String) in
            let connection = try RawConnection(port: port)
            try connection.send(
                "POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: text/csv\r\nContent-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            let interim = connection.read(timeout: .seconds(5)) { $0.hasPrefix("HTTP/1.1 100 Continue\r\n\r\n") }
            try connection.send(body)
            connection.read(timeout: .seconds(20)) { $0.contains("\"inserted\":5") }
            return (interim, connection.text)
        }
        #expect(interim)
        #expect(answer.contains("HTTP/1.1 200 OK") && answer.contains("\"inserted\":5"), "\(answer)")
        let refused = try await offloaded { () throws -> String in
            let connection = try RawConnection(port: port)
            try connection.send(
                "POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: text/csv\r\nContent-Length: 20000\r\nExpect: 100-continue\r\n\r\n")
            connection.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") }
            return connection.text
        }
        #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused)")
        try await server.stop()
    }

    static func spoolFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter { $0.hasPrefix("headway-body-") }
    }

    @Test func aClientThatGoesAwayMidBodyWritesNothing() async throws {
        let fixture = try Fixture()
        let server = try await RunningServer(url: fixture.url)
        let before = try fixture.snapshot()
        // A server killed mid-POST elsewhere in the suite (WriteCrashTests) leaves its spool file.
        let spooledBefore = Set(try Self.spoolFiles())
        // Complete rows arrive, then the client goes away before the rest of what it announced.
        let rows = Portfolio.figures
        _ = try await RawClient.send(
            port: server.port,
            head: "POST /api/v1/observations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(fixture.write)\r\nContent-Type: text/csv\r\nContent-Length: \(rows.utf8.count * 10)\r\n\r\n",
            body: rows, thenClose: true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await server.get("/healthz").status == 200)
        #expect(try fixture.snapshot() == before)
        let spooled = Set(try Self.spoolFiles()).subtracting(spooledBefore)
        #expect(spooled.isEmpty, "\(spooled)")
        // The same body sent whole is loaded.
        #expect(try await server.post("/api/v1/observations", rows, token: fixture.write).object["inserted"] as? Int == 5)
        try await server.stop()
    }

    @Test func theOpenAPIDocumentDescribesTheWrites() async throws {
        let server = try await RunningServer(url: try TestDatabase.create())
        let document = try await server.get("/api/v1/openapi.json").object
        try await server.stop()
        let components = document["components"] as? [String: Any] ?? [:]
        let scheme = (components["securitySchemes"] as? [String: Any])?["bearerToken"] as? [String: Any]
        #expect(scheme?["type"] as? String == "http" && scheme?["scheme"] as? String == "bearer")
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        for path in WriteAPI.paths {
            let post = paths[path]?["post"] as? [String: Any] ?? [:]
            #expect(Set((post["responses"] as? [String: Any] ?? [:]).keys) == ["200", "400", "401", "403", "413", "415", "503"], "\(path)")
            #expect((post["security"] as? [[String: Any]])?.first?.keys.first == "bearerToken", "\(path)")
        }
    }

    @Test func corsOnlyForTheOriginsGiven() async throws {
        let url = try Portfolio.create()
        let server = try await RunningServer(url: url) { $0.corsOrigins = ["https://dash.example.org"] }
        let preflight = try await server.get(
            "/api/v1/observations", method: "OPTIONS",
            headers: ["Origin": "https://dash.example.org", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://dash.example.org")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
        let read = try await server.get("/api/v1/summary", headers: ["Origin": "https://dash.example.org"])
        #expect(read.status == 200 && read.headers["access-control-allow-origin"] == "https://dash.example.org")
        let problem = try await server.post("/api/v1/observations", "x", contentType: "text/csv")
        #expect(problem.status == 401)
        let other = try await server.get("/api/v1/summary", headers: ["Origin": "https://evil.example"])
        #expect(other.status == 200 && other.headers["access-control-allow-origin"] == nil)
        ServerOperationsTests.expectProblem(
            try await server.get("/api/v1/observations", method: "OPTIONS", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"]), 405)
        try await server.stop()
        let closed = try await RunningServer(url: url)
        #expect(try await closed.get("/api/v1/summary", headers: ["Origin": "https://dash.example.org"]).headers["access-control-allow-origin"] == nil)
        try await closed.stop()
    }
}

/// A bare HTTP/1.1 client on a socket: for what URLSession will not do (go away mid-body, chunked bodies).
enum RawClient {
    /// Sends `head` and `body`; returns what the server answered, or "" when `thenClose` closes first.
    static func send(port: Int, head: String, body: String, thenClose: Bool = false) async throws -> String {
        try await Task.detached {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { throw HeadwayError("cannot connect to port \(port)") }
            let bytes = Array((head + body).utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if thenClose { return "" }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: answer, as: UTF8.self).contains("\r\n\r\n") {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { break }
                answer += buffer[0..<count]
            }
            return String(decoding: answer, as: UTF8.self)
        }.value
    }
}
