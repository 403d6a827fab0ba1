import CompressNIO
import Hummingbird

/// gzip for clients that accept it (`Accept-Encoding`), on answers of known length above 1 KiB:
/// a page of the list or a long series shrinks several times over. Streams (events) and small
/// answers go as they are. Every answer that could be compressed says `Vary: Accept-Encoding`,
/// so a cache keeps the two forms apart.
///
/// Hummingbird 2 itself has no compression middleware (it lives in the separate
/// hummingbird-compression package, which Headway does not depend on); this one uses
/// compress-nio, the library that package is built on, and adds what Headway needs: the 1 KiB
/// threshold, no compression of event streams, and `Vary` on every answer that could be.
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var threshold: Int { 1024 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard let length = response.body.contentLength, length > Self.threshold, response.headers[.contentEncoding] == nil,
            response.headers[.contentType]?.hasPrefix("text/event-stream") != true
        else { return response }
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Accept-Encoding" } ?? "Accept-Encoding"
        guard Self.acceptsGzip(request.headers[.acceptEncoding]) else { return response }
        let collector = BodyCollector(buffer: ByteBuffer())
        try await response.body.write(collector)
        var plain = await collector.collected()
        let compressed = try plain.compress(with: .gzip(configuration: .init(compressionLevel: .compressionLevel4)))
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.readableBytes)
        response.body = ResponseBody(byteBuffer: compressed)
        return response
    }

    /// Whether `gzip` (or `*`) is listed without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        (header ?? "").split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (parts.first == "gzip" || parts.first == "*") && quality > 0
        }
    }
}

/// Gathers a response body that is being written, to compress it whole.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    // Written by one task at a time (the body's writer), read once it has finished.
    private var buffer: ByteBuffer

    init(buffer: ByteBuffer) { self.buffer = buffer }

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}

    func collected() async -> ByteBuffer { buffer }
}
