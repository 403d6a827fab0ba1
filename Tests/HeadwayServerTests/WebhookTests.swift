import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// Webhooks end to end: `headway serve` processes delivering to a real receiver process that
/// fails, is slow, hangs or goes away; signatures checked by the Standard Webhooks library; serve
/// killed mid-delivery; two servers on one database (docs/API.md, "Webhooks").
@Suite(.serialized) struct WebhookTests {
    @Test func aStatusChangeIsRetriedUnderOneIDWithAValidSignatureAndTheNextFollows() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        let hook = try WebhookCLI.add([receiver.url("/fail-2"), "--allow-private", "--commitment", "closures-100"], url: url)
        let server = try await ServeProcess(url: url)
        let (before, after) = try WebhookCLI.changeStatus(url)
        // Two 500s, then 204: three attempts at one message.
        let attempts = try await receiver.wait(for: 3, on: "/fail-2")
        #expect(attempts.map(\.status) == [500, 500, 204])
        #expect(Set(attempts.map(\.id)).count == 1)
        let id = try #require(attempts.first?.id)
        #expect(id.hasPrefix("msg_") && id.hasSuffix("_\(hook.id)_closures-100"), "\(id)")
        #expect(Set(attempts.map(\.body)).count == 1, "every attempt sends the same body")
        #expect(try WebhookReceiver.verify(attempts, secret: hook.secret).contains("verified 3"))
        let first = try #require(attempts.first)
        #expect(first.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])
        #expect(body["type"] as? String == "status")
        #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
        let data = first.data
        #expect(data["key"] as? String == "closures-100")
        #expect(data["title"] as? String == "Close 100 lines in 2024")
        #expect(data["previous_status"] as? String == before)
        #expect(data["status"] as? String == after)
        #expect(data["probability_met"] is Double || data["probability_met"] is NSNull, "\(data)")
        #expect(data.keys.contains("probability_met"))
        #expect(data["as_of"] as? String == CivilDate.today().description)
        #expect(data["url"] as? String == "https://pledges.example.org/commitments/closures-100")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try WebhookCLI.delivery(url, id)?.state == "delivered")
        #expect(try WebhookCLI.delivery(url, id)?.attempts == 3)
        let shown = try WebhookCLI.run(["deliveries", String(hook.id)], url: url)
        #expect(shown.output.contains(id) && shown.output.contains("delivered"), "\(shown.output)")

        // The next change goes out at once, under a new id; another commitment's does not.
        try WebhookCLI.changeStatus(url, key: "officers-1500")
        let changed = ContinuousClock.now
        try WebhookCLI.changeStatus(url)
        let next = try await receiver.wait(for: 4, on: "/fail-2")
        #expect(ContinuousClock.now - changed < .seconds(30))
        #expect(next.count == 4 && next.last?.status == 204 && next.last?.id != id)
        #expect(next.last?.data["key"] as? String == "closures-100")
        #expect(try WebhookReceiver.verify(Array(next.suffix(1)), secret: hook.secret).contains("verified 1"))
        #expect(try server.stop() == 0)
    }

    @Test func aSlowOrHangingReceiverHoldsUpNeitherOtherHooksNorTheServer() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        let hanging = try WebhookCLI.add([receiver.url("/hang"), "--allow-private"], url: url)
        _ = try WebhookCLI.add([receiver.url("/slow-4"), "--allow-private"], url: url)
        _ = try WebhookCLI.add([receiver.url("/ok"), "--allow-private"], url: url)
        // Loopback in a form only the resolver reads (127.1), without --allow-private: refused
        // before the attempt, when the name is resolved.
        let sneaky = try WebhookCLI.add(["http://127.1:\(receiver.port)/sneaky"], url: url)
        let server = try await ServeProcess(url: url)
        let changed = ContinuousClock.now
        try WebhookCLI.changeStatus(url)
        #expect(try await receiver.wait(for: 1, on: "/ok").count == 1)
        #expect(ContinuousClock.now - changed < .seconds(5), "a fast receiver waited for the slow and hanging ones")
        #expect(try await receiver.wait(for: 1, on: "/hang").count == 1)
        // The server answers at once while a receiver hangs.
        let asked = ContinuousClock.now
        #expect(try await RunningServer.get(port: server.port, "/api/v1/summary").status == 200)
        #expect(ContinuousClock.now - asked < .seconds(2))
        // The hanging request is given up after 15 s, and tried again under the same id.
        let hung = try await receiver.wait(for: 2, on: "/hang", timeout: .seconds(40))
        #expect(hung.count == 2 && Set(hung.map(\.id)).count == 1)
        if hung.count == 2 { #expect(hung[1].received - hung[0].received >= 15) }
        let failed = try WebhookCLI.run(["deliveries", String(hanging.id), "--failed"], url: url)
        #expect(failed.output.contains("no answer within 15 s"), "\(failed.output)")
        #expect(receiver.requests("/sneaky").isEmpty)
        let refused = try WebhookCLI.run(["deliveries", String(sneaky.id), "--failed"], url: url)
        #expect(refused.output.contains("server-side request forgery"), "\(refused.output)")
        #expect(try server.stop() == 0)
    }

    @Test func killedMidDeliveryTheMessageGoesOutAgainUnderTheSameID() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        _ = try WebhookCLI.add([receiver.url("/slow-3"), "--allow-private"], url: url)
        let first = try await ServeProcess(url: url)
        try WebhookCLI.changeStatus(url)
        let arrived = try await receiver.wait(for: 1, on: "/slow-3")
        first.kill()  // SIGKILL, while the receiver is still answering
        let id = try #require(arrived.first?.id)
        #expect(try WebhookCLI.delivery(url, id)?.state == "pending")
        let second = try await ServeProcess(url: url)
        // The killed server's hold on the hook ended with its connection: no lease to wait out.
        let again = try await receiver.wait(for: 2, on: "/slow-3", timeout: .seconds(15))
        #expect(again.count == 2 && again.last?.id == id)
        try await Task.sleep(for: .seconds(4))
        #expect(try WebhookCLI.delivery(url, id)?.state == "delivered")
        #expect(try second.stop() == 0)
    }

    @Test func aChangeMadeWhileServerAndReceiverWereDownIsDeliveredOnceBothAreBack() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        let hook = try WebhookCLI.add([receiver.url("/ok"), "--allow-private"], url: url)
        let first = try await ServeProcess(url: url)
        try WebhookCLI.changeStatus(url)
        #expect(try await receiver.wait(for: 1, on: "/ok").count == 1)
        first.kill()
        receiver.stop()
        let (_, after) = try WebhookCLI.changeStatus(url)
        // The server comes back first and finds the receiver down; then the receiver returns.
        let second = try await ServeProcess(url: url)
        try await Task.sleep(for: .seconds(1))
        try receiver.start()
        let got = try await receiver.wait(for: 2, on: "/ok", timeout: .seconds(30))
        #expect(got.count == 2)
        #expect(got.last?.data["status"] as? String == after)
        #expect(try WebhookReceiver.verify(got, secret: hook.secret).contains("verified 2"))
        try await Task.sleep(for: .seconds(2))
        #expect(receiver.requests("/ok").count == 2, "delivered once")
        #expect(try second.stop() == 0)
    }

    @Test func twoServersOnOneDatabaseDeliverEachEventOnceInOrder() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        _ = try WebhookCLI.add([receiver.url("/ok"), "--allow-private", "--tag", "crime"], url: url)
        let (a, b) = (try await ServeProcess(url: url), try await ServeProcess(url: url))
        var statuses: [String] = []
        for round in 0..<8 {
            statuses.append(try WebhookCLI.changeStatus(url, key: round.isMultiple(of: 2) ? "closures-100" : Portfolio.awkwardKey).after)
            try WebhookCLI.changeStatus(url, key: "officers-1500")  // not tagged crime: not sent
        }
        let got = try await receiver.wait(for: 8, on: "/ok")
        try await Task.sleep(for: .seconds(2))
        let all = receiver.requests("/ok")
        #expect(all.count == 8, "\(all.map(\.id))")
        #expect(Set(all.map(\.id)).count == all.count, "each message once")
        let events = all.compactMap { Int64($0.id.split(separator: "_")[1]) }
        #expect(events == events.sorted(), "in the order of the events")
        #expect(got.compactMap { $0.data["status"] as? String } == statuses)
        #expect(try a.stop() == 0)
        #expect(try b.stop() == 0)
    }

    @Test func aBurstOfChangesGoesOutInOrderWithoutWaitingBetweenMessages() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        _ = try WebhookCLI.add([receiver.url("/ok"), "--allow-private", "--commitment", "closures-100"], url: url)
        let server = try await ServeProcess(url: url)
        // 200 changes of status in one transaction, as one large report makes them.
        let connection = try PostgresConnection(url: url)
        try connection.transaction { connection in
            for _ in 0..<200 {
                try connection.execute(
                    """
                    INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
                    SELECT commitment_key, commitment_version, (now() AT TIME ZONE 'UTC')::date, method_version,
                           CASE WHEN status = 'off_track' THEN 'at_risk' ELSE 'off_track' END, result
                    FROM headway.assessments WHERE commitment_key = 'closures-100' ORDER BY id DESC LIMIT 1
                    """)
            }
        }
        let started = ContinuousClock.now
        let got = try await receiver.wait(for: 200, on: "/ok", timeout: .seconds(60))
        #expect(got.count == 200)
        #expect(ContinuousClock.now - started < .seconds(30), "one message after another, not one per look")
        let events = got.compactMap { Int64($0.id.split(separator: "_")[1]) }
        #expect(events == events.sorted() && Set(events).count == 200)
        let statuses = got.compactMap { $0.data["status"] as? String }
        #expect(zip(statuses, statuses.dropFirst()).allSatisfy { $0 != $1 }, "each message a change from the one before")
        #expect(try server.stop() == 0)
    }

    @Test func aReceiverThatNeverRecoversIsGivenUpAndTheHookDisabledWithTheReason() async throws {
        let url = try Portfolio.create()
        let receiver = try WebhookReceiver()
        let hook = try WebhookCLI.add([receiver.url("/fail"), "--allow-private"], url: url)
        // The whole schedule (27.6 hours) in about ten seconds.
        let server = try await ServeProcess(url: url, retryScale: "0.0001")
        try WebhookCLI.changeStatus(url)
        let attempts = try await receiver.wait(for: WebhookRetrySchedule().attempts, on: "/fail", timeout: .seconds(60))
        #expect(attempts.count == WebhookRetrySchedule().attempts)
        #expect(Set(attempts.map(\.id)).count == 1)
        try await Task.sleep(for: .seconds(2))
        #expect(receiver.requests("/fail").count == WebhookRetrySchedule().attempts, "no attempt after the last")
        let listed = try WebhookCLI.run(["list"], url: url)
        #expect(listed.output.contains("disabled"), "\(listed.output)")
        #expect(listed.output.contains("Webhook \(hook.id) disabled at"), "\(listed.output)")
        #expect(listed.output.contains("after 12 failed attempts") && listed.output.contains("HTTP 500"), "\(listed.output)")
        let failed = try WebhookCLI.run(["deliveries", "--failed"], url: url)
        #expect(failed.output.contains("failed") && failed.output.contains("Webhook \(hook.id) disabled"), "\(failed.output)")
        // A disabled hook gets nothing more.
        try WebhookCLI.changeStatus(url)
        try await Task.sleep(for: .seconds(2))
        #expect(receiver.requests("/fail").count == WebhookRetrySchedule().attempts)
        #expect(try server.stop() == 0)
    }

    @Test func anHTTPSReceiverIsTrustedOnlyWhenItsAuthorityIs() async throws {
        let url = try Portfolio.create()
        let tls = try WebhookCLI.selfSignedCertificate()
        let receiver = try WebhookReceiver(tls: tls)
        let hook = try WebhookCLI.add([receiver.url("/ok"), "--allow-private"], url: url)
        // Signed by no authority the system trusts: refused, and said so.
        let untrusting = try await ServeProcess(url: url)
        try WebhookCLI.changeStatus(url)
        var failed = ""
        for _ in 0..<100 where !failed.contains("CERTIFICATE") {
            try await Task.sleep(for: .milliseconds(100))
            failed = try WebhookCLI.run(["deliveries", String(hook.id), "--failed"], url: url).output.uppercased()
        }
        #expect(failed.contains("CERTIFICATE"), "\(failed)")
        #expect(receiver.requests().isEmpty)
        #expect(try untrusting.stop() == 0)
        // Trusted with --webhook-ca-file: delivered, the same message.
        let trusting = try await ServeProcess(url: url, arguments: ["--webhook-ca-file", tls.certificate])
        let got = try await receiver.wait(for: 1, on: "/ok")
        #expect(got.count == 1 && got.first?.status == 204)
        #expect(try WebhookReceiver.verify(got, secret: hook.secret).contains("verified 1"))
        #expect(try trusting.stop() == 0)
        let unreadable = try HeadwayBinary.run(["serve", "--port", "0", "--webhook-ca-file", tls.key], url: url)
        #expect(unreadable.status != 0 && unreadable.errors.contains("--webhook-ca-file"), "\(unreadable.errors)")
    }

    @Test func theAPIManagesHooksWithAWriteTokenOnly() async throws {
        let url = try Portfolio.create()
        let workspace = try Workspace(url: url, migrating: false)
        let write = try workspace.tokens.create(name: "ops", scope: .write)
        let read = try workspace.tokens.create(name: "dash", scope: .read)
        let server = try await RunningServer(url: url)
        let body = #"{"url": "https://hooks.example.org/h", "events": ["status", "definitions"], "tag": "crime", "description": "newsroom"}"#
        #expect(try await server.post("/api/v1/webhooks", body, contentType: "application/json", token: read).status == 403)
        #expect(try await server.post("/api/v1/webhooks", body, contentType: "application/json").status == 401)
        let created = try await server.post("/api/v1/webhooks", body, contentType: "application/json", token: write)
        #expect(created.status == 201)
        let secret = try #require(created.object["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))
        #expect(try WebhookSecret.key(of: secret).count == 32)
        let id = try #require(created.object["id"] as? Int)
        #expect(created.headers["location"] == "/api/v1/webhooks/\(id)")
        #expect(created.object["events"] as? [String] == ["status", "definitions"] && created.object["tag"] as? String == "crime")
        let bearer = ["Authorization": "Bearer \(write)"]
        #expect(try await server.get("/api/v1/webhooks", headers: ["Authorization": "Bearer \(read)"]).status == 403)
        let listed = try await server.get("/api/v1/webhooks", headers: bearer)
        #expect(listed.status == 200 && (listed.json as? [[String: Any]])?.first?["url"] as? String == "https://hooks.example.org/h")
        #expect(!String(decoding: listed.body, as: UTF8.self).contains("whsec_"), "a listing never shows a secret")
        let rotated = try await server.get("/api/v1/webhooks/\(id)/rotate-secret", method: "POST", headers: bearer)
        #expect(rotated.status == 200 && (rotated.object["secret"] as? String)?.hasPrefix("whsec_") == true && rotated.object["secret"] as? String != secret)
        let deliveries = try await server.get("/api/v1/webhooks/\(id)/deliveries?failed=true", headers: bearer)
        #expect(deliveries.status == 200 && (deliveries.json as? [Any])?.isEmpty == true)
        let loopback = try await server.post("/api/v1/webhooks", #"{"url": "http://127.0.0.1:9/h"}"#, contentType: "application/json", token: write)
        #expect(loopback.status == 400 && (loopback.object["detail"] as? String)?.contains("allow_private") == true)
        #expect((loopback.object["detail"] as? String)?.contains("server-side request forgery") == true, "\(loopback.object)")
        let unknownType = try await server.post("/api/v1/webhooks", #"{"url": "https://h.example.org", "events": ["nope"]}"#, contentType: "application/json", token: write)
        #expect(unknownType.status == 400)
        #expect(try await server.get("/api/v1/webhooks/\(id)", method: "DELETE", headers: bearer).status == 204)
        #expect(try await server.get("/api/v1/webhooks/\(id)", headers: bearer).status == 404)
        try await server.stop()
    }

    @Test func privateAndMalformedReceiversAreRefusedWithAClearMessage() throws {
        let url = try Portfolio.create()
        for target in ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x", "http://192.168.1.1/", "http://[::1]:8080/",
            "http://169.254.169.254/latest", "http://[fd00::1]/"]
        {
            let outcome = try WebhookCLI.run(["add", target], url: url)
            #expect(outcome.status != 0, "\(target)")
            #expect(outcome.errors.contains("--allow-private") && outcome.errors.contains("server-side request forgery"), "\(target): \(outcome.errors)")
        }
        for target in ["ftp://example.org/x", "hooks.example.org/x", "https://user:pw@hooks.example.org/"] {
            let outcome = try WebhookCLI.run(["add", target], url: url)
            #expect(outcome.status != 0 && outcome.errors.hasPrefix("headway: "), "\(target): \(outcome.errors)")
        }
        let unknown = try WebhookCLI.run(["add", "https://hooks.example.org/x", "--commitment", "no-such"], url: url)
        #expect(unknown.status != 0 && unknown.errors.contains("no commitment"), "\(unknown.errors)")
        let allowed = try WebhookCLI.add(["https://hooks.example.org/x", "--event", "status", "--event", "observations", "--description", "newsroom"], url: url)
        let listed = try WebhookCLI.run(["list"], url: url)
        #expect(listed.output.contains("https://hooks.example.org/x") && listed.output.contains("status,observations"), "\(listed.output)")
        #expect(!listed.output.contains("whsec_"), "list never shows a secret")
        let rotated = try WebhookCLI.run(["rotate-secret", String(allowed.id)], url: url)
        #expect(rotated.output.hasPrefix("secret: whsec_") && !rotated.output.contains(allowed.secret))
        #expect(try WebhookCLI.run(["remove", String(allowed.id)], url: url).succeeded)
        let gone = try WebhookCLI.run(["remove", String(allowed.id)], url: url)
        #expect(gone.status != 0 && gone.errors.contains("no webhook \(allowed.id)"))
    }

    @Test func theReaderRoleCannotReadTheHooksOrTheirSecrets() throws {
        let url = try Portfolio.create()
        _ = try WebhookCLI.add(["https://hooks.example.org/x"], url: url)
        let connection = try PostgresConnection(url: url)
        try connection.executeScript("SET ROLE headway_reader")
        for table in ["headway.webhooks", "headway.webhook_deliveries"] {
            #expect(throws: PostgresError.self) { try connection.query(SQLQuery("SELECT count(*) FROM \(table)", parameters: [])) }
        }
    }

    @Test func eventsAHookHasNotReachedAreKeptFromPruning() throws {
        let url = try Portfolio.create()
        let connection = try PostgresConnection(url: url)
        let hook = try WebhookCLI.add(["https://hooks.example.org/x"], url: url)
        let cursor = try connection.query("SELECT cursor_event_id FROM headway.webhooks WHERE id = \(hook.id)")[0].decode(Int64.self, at: 0)
        // Every event is past the retention; those after the hook's cursor stay.
        try connection.executeScript("SET headway.event_retention = '0 seconds'")
        try connection.execute(
            """
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
            SELECT commitment_key, commitment_version, (now() AT TIME ZONE 'UTC')::date, method_version,
                   CASE WHEN status = 'off_track' THEN 'at_risk' ELSE 'off_track' END, result
            FROM headway.assessments WHERE commitment_key = 'closures-100' ORDER BY id DESC LIMIT 1
            """)
        try connection.execute(
            """
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
            SELECT commitment_key, commitment_version, (now() AT TIME ZONE 'UTC')::date, method_version, status, result
            FROM headway.assessments WHERE commitment_key = 'closures-100' ORDER BY id DESC LIMIT 1
            """)
        #expect(try connection.query("SELECT count(*) FROM headway.events WHERE id <= \(cursor)")[0].decode(Int.self, at: 0) == 0)
        #expect(try connection.query("SELECT count(*) FROM headway.events WHERE id > \(cursor)")[0].decode(Int.self, at: 0) >= 2)
        // Once no live hook is behind, the retention applies again.
        #expect(try WebhookCLI.run(["remove", String(hook.id)], url: url).succeeded)
        let last = try connection.query("SELECT max(id) FROM headway.events")[0].decode(Int64.self, at: 0)
        try connection.execute(
            """
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
            SELECT commitment_key, commitment_version, (now() AT TIME ZONE 'UTC')::date, method_version, status, result
            FROM headway.assessments WHERE commitment_key = 'closures-100' ORDER BY id DESC LIMIT 1
            """)
        #expect(try connection.query("SELECT count(*) FROM headway.events WHERE id <= \(last)")[0].decode(Int.self, at: 0) == 0)
    }
}
