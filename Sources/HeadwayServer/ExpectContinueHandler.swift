import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a request sent with `Expect: 100-continue` with `100 Continue` (RFC 9110, section
/// 10.1.1), which Hummingbird leaves out: curl asks for it before a body of over a megabyte and,
/// without it, waits a second before sending the body. A request declaring a body over the
/// server's limit gets no `100 Continue`: the 413 comes before any of the body is sent.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data), request.headerFields[.expect]?.lowercased() == "100-continue",
            request.headerFields[.contentLength].flatMap(Int.init).map({ $0 <= maxBodyBytes }) ?? true
        {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
