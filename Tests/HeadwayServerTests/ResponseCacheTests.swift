import Hummingbird
import Testing

@testable import HeadwayServer

/// The answers kept by tag: bounded in bytes, oldest out first, dropped when the version changes.
@Suite struct ResponseCacheTests {
    static func answer(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    @Test func answersAreKeptUpToTheCapacityAndDroppedWithTheirVersion() async throws {
        let cache = ResponseCache(capacity: 40)
        let sent = try await cache.keep(Self.answer("0123456789"), tag: "a", version: 1)
        #expect(sent.status == .ok && cache.size == 10)
        _ = try await cache.keep(Self.answer("abcdefghij"), tag: "b", version: 1)
        _ = try await cache.keep(Self.answer("ABCDEFGHIJ"), tag: "c", version: 1)
        #expect(cache.answer(for: "a", version: 1) != nil && cache.size == 30)
        // Full: the oldest goes first.
        _ = try await cache.keep(Self.answer("klmnopqrst"), tag: "d", version: 1)
        _ = try await cache.keep(Self.answer("KLMNOPQRST"), tag: "e", version: 1)
        #expect(cache.answer(for: "a", version: 1) == nil && cache.answer(for: "b", version: 1) != nil && cache.size == 40)
        #expect(cache.answer(for: "e", version: 1)?.headers[.contentType] == "application/json")
        // Over a quarter of the capacity: sent, not kept.
        _ = try await cache.keep(Self.answer("0123456789x"), tag: "big", version: 1)
        #expect(cache.answer(for: "big", version: 1) == nil)
        // An error is never kept.
        _ = try await cache.keep(Response(status: .notFound), tag: "missing", version: 1)
        #expect(cache.answer(for: "missing", version: 1) == nil)
        // Another version: every answer of the old one goes.
        _ = try await cache.keep(Self.answer("new"), tag: "f", version: 2)
        #expect(cache.answer(for: "e", version: 1) == nil && cache.answer(for: "f", version: 2) != nil && cache.size == 3)
        // After a write at version 2, nothing of version 2 is served or kept; version 3 is.
        #expect(!cache.isWithheld(2))
        cache.withhold(through: 2)
        #expect(cache.answer(for: "f", version: 2) == nil && cache.size == 0)
        // Nor is a client's ETag of version 2 answered 304 (RevalidationMiddleware asks this).
        #expect(cache.isWithheld(2) && !cache.isWithheld(3))
        _ = try await cache.keep(Self.answer("again"), tag: "f", version: 2)
        #expect(cache.answer(for: "f", version: 2) == nil && cache.size == 0)
        _ = try await cache.keep(Self.answer("newer"), tag: "g", version: 3)
        #expect(cache.answer(for: "g", version: 3) != nil)
    }

    /// A fact is worked out once per version, again for a new one, never kept while withheld,
    /// and every time before the version is known.
    @Test func factsAreWorkedOutOncePerVersion() {
        let cache = ResponseCache()
        var made = 0
        func count(_ version: Int64?) -> Int { cache.fact("counts", version: version) { made += 1; return made } }
        #expect(count(1) == 1 && count(1) == 1 && made == 1)
        #expect(cache.fact("other", version: 1) { "x" } == "x" && count(1) == 1)
        #expect(count(2) == 2 && count(2) == 2 && made == 2)
        #expect(count(nil) == 3 && count(nil) == 4)
        cache.withhold(through: 2)
        #expect(count(2) == 5 && count(2) == 6)
        #expect(count(3) == 7 && count(3) == 7)
        // Names made from requests are bounded: past the limit the facts start again.
        for n in 0..<ResponseCache.maximumFacts { _ = cache.fact("matching q=\(n)", version: 3) { n } }
        #expect(count(3) == 8 && count(3) == 8)
        // An answer worked out at an older version does not replace the newer one's.
        _ = cache.fact("counts", version: 4) { 40 }
        #expect(cache.fact("counts", version: 3) { 30 } == 30 && cache.fact("counts", version: 4) { 41 } == 40)
    }

    /// A read started ahead is handed out once, for its key and version; a new version, a
    /// write, or four newer reads drop it.
    @Test func preparedReadsAreHandedOutOnceForTheirVersion() async throws {
        let cache = ResponseCache()
        cache.prepare("page 2", version: 1) { 2 }
        cache.prepare("page 2", version: 1) { 20 }  // one is kept already: not replaced
        #expect(cache.takePrepared("page 2", version: 1, as: String.self) == nil)  // not of that type: dropped
        cache.prepare("page 2", version: 1) { 2 }
        #expect(cache.takePrepared("page 3", version: 1, as: Int.self) == nil)
        #expect(try await cache.takePrepared("page 2", version: 1, as: Int.self)?.value == 2)
        #expect(cache.takePrepared("page 2", version: 1, as: Int.self) == nil)
        // At most four are kept, the oldest dropped first.
        for page in 0...ResponseCache.maximumPrepared { cache.prepare("page \(page)", version: 1) { page } }
        #expect(cache.takePrepared("page 0", version: 1, as: Int.self) == nil)
        #expect(try await cache.takePrepared("page 1", version: 1, as: Int.self)?.value == 1)
        // Only for the version it was read at: a newer one drops it, an older is never kept.
        #expect(cache.takePrepared("page 2", version: 2, as: Int.self) == nil)
        _ = try await cache.keep(Self.answer("new"), tag: "a", version: 2)
        #expect(cache.takePrepared("page 2", version: 1, as: Int.self) == nil)
        cache.prepare("old", version: 1) { 1 }
        #expect(cache.takePrepared("old", version: 1, as: Int.self) == nil)
        // After a write at version 2, nothing read at version 2 is handed out or kept.
        cache.prepare("page 2", version: 2) { 2 }
        cache.withhold(through: 2)
        #expect(cache.takePrepared("page 2", version: 2, as: Int.self) == nil)
        cache.prepare("page 2", version: 2) { 2 }
        #expect(cache.takePrepared("page 2", version: 2, as: Int.self) == nil)
        cache.prepare("page 2", version: 3) { 3 }
        #expect(try await cache.takePrepared("page 2", version: 3, as: Int.self)?.value == 3)
    }
}
