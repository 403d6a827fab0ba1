import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id, for matching a client's report with the server's log: the
/// client's own `X-Request-Id` when it is sane (1 to 128 letters, digits and `-_.:/+=`), else a
/// new UUID. It rides in the context's logger (so handlers' log lines carry it too), the access
/// log and problem details show it, and the answer echoes it.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = Self.id(offered: request.headers[.requestID])
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func id(offered: String?) -> String {
        guard let offered, (1...128).contains(offered.utf8.count),
            offered.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-_.:/+=".utf8.contains(byte)
            })
        else { return newID() }
        return offered
    }

    /// A random (version 4) UUID in lowercase. Foundation's `UUID()` opens and reads /dev/urandom
    /// on every call here, a tenth of a 304's work; this asks the kernel for 16 bytes (getrandom).
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 9562 variant
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension HTTPField.Name {
    static var requestID: Self { Self("X-Request-Id")! }
    /// On a write's answer, the last event stored when it was done (docs/API.md, "Read your writes").
    static var headwayEventID: Self { Self("Headway-Event-Id")! }
    /// On a read: answer from a state that has this event (a standby that has replayed it, or the primary).
    static var headwayMinEventID: Self { Self("Headway-Min-Event-Id")! }
}

extension RequestContext {
    /// The request's id, once `RequestIDMiddleware` has given it one.
    var requestID: String? { logger[metadataKey: "request_id"]?.description }
}
