import Foundation
import HeadwayStore
import Testing

@testable import HeadwayServer

/// The parts of webhooks that need no database: the signature against the Standard Webhooks
/// specification's own example, which addresses count as private, and the retry schedule.
@Suite struct WebhookUnitTests {
    @Test func theSignatureMatchesTheSpecificationsExample() throws {
        // standardwebhooks.com's worked example (its libraries' tests use the same).
        let header = try WebhookSignature.header(
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: #"{"test": 2432232314}"#)
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(throws: HeadwayError.self) { try WebhookSignature.header(secret: "not-a-secret", messageID: "m", timestamp: 0, body: "") }
    }

    @Test func privateAddressesAreNamedAndPublicOnesPass() throws {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "api.localhost", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1",
            "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "[::1]", "::", "fd12::1", "fe80::1", "::ffff:10.0.0.1", "ff02::1"]
        {
            #expect(WebhookAddress.privateReason(host: host) != nil, "\(host)")
        }
        for host in ["93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "hooks.example.org", "8.8.8.8"] {
            #expect(WebhookAddress.privateReason(host: host) == nil, "\(host)")
        }
        #expect(try WebhookAddress.privateReasonResolving(host: "127.1") != nil, "the resolver reads 127.1 as loopback")
    }

    @Test func theScheduleRetriesForMoreThanADayThenGivesUp() throws {
        let schedule = WebhookRetrySchedule(jitter: 0)
        let total = (1..<schedule.attempts).compactMap { schedule.delay(afterAttempt: $0) }.reduce(0, +)
        #expect(total >= 24 * 3_600)
        #expect(schedule.delay(afterAttempt: 1) == 5)
        #expect(schedule.delay(afterAttempt: schedule.attempts) == nil)
        let jittered = WebhookRetrySchedule()
        #expect((0..<100).allSatisfy { _ in (5...6).contains(jittered.delay(afterAttempt: 1) ?? 0) })
        #expect(try WebhookRetrySchedule.fromEnvironment(["HEADWAY_WEBHOOK_RETRY_SCALE": "0.5"]).scale == 0.5)
        #expect(throws: HeadwayError.self) { try WebhookRetrySchedule.fromEnvironment(["HEADWAY_WEBHOOK_RETRY_SCALE": "-1"]) }
    }

    @Test func aNewHookIsReadFromJSONOrRefusedSayingWhy() throws {
        let hook = try WebhookRoutes.newHook(Data(#"{"url": "https://h.example.org", "events": ["status", "observations"], "allow_private": true}"#.utf8))
        #expect(hook.url == "https://h.example.org" && hook.events == [.status, .observations] && hook.allowPrivate)
        for body in [#"[]"#, #"{}"#, #"{"url": 3}"#, #"{"url": "https://h", "events": "status"}"#, #"{"url": "https://h", "colour": "red"}"#,
            #"{"url": "https://h", "allow_private": "yes"}"#]
        {
            #expect(throws: (any Error).self, "\(body)") { try WebhookRoutes.newHook(Data(body.utf8)) }
        }
    }
}
