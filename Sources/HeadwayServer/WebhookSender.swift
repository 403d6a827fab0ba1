import AsyncHTTPClient
import Foundation
import HeadwayStore
import NIOCore
import NIOSSL

/// POSTs one webhook message to its receiver, signed (`WebhookSignature`), and says how it went.
/// Bounded in time: 5 s to connect, 15 s for the whole request, so a slow or hanging receiver
/// holds up only its own hook. Redirects are not followed (a receiver could point elsewhere).
/// HTTPS receivers are verified against the system's trusted certificates, and those of
/// `--webhook-ca-file` (a private certificate authority).
final class WebhookSender: Sendable {
    static let connectTimeout = TimeAmount.seconds(5)
    static let requestTimeout = TimeAmount.seconds(15)

    private let client: HTTPClient

    /// - Parameter trustedCAFile: PEM certificates to trust besides the system's.
    /// - Throws: `HeadwayError` when that file holds no certificate that can be read.
    init(trustedCAFile: String? = nil) throws {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: HTTPClient.Configuration.Timeout(connect: Self.connectTimeout, read: Self.requestTimeout))
        configuration.decompression = .disabled
        if let trustedCAFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            let certificates = (try? NIOSSLCertificate.fromPEMFile(trustedCAFile)) ?? []
            guard !certificates.isEmpty else {
                throw HeadwayError("--webhook-ca-file \(trustedCAFile): no PEM certificate could be read from it", kind: .input)
            }
            tls.additionalTrustRoots = [.certificates(certificates)]
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; call once, after the last `send`.
    func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends `message` to the hook of `claim`. A 2xx answer is delivered; anything else, no answer
    /// in time, or a receiver on a private address the hook does not allow, has failed.
    func send(_ message: WebhookOutbox.Message, for claim: WebhookOutbox.Claim) async -> WebhookOutbox.Outcome {
        guard let host = URL(string: claim.url)?.host else { return .failed(status: nil, error: "\(claim.url) has no host") }
        if !claim.allowPrivate {
            do {
                if let reason = try await Self.privateReason(host: host) {
                    return .failed(status: nil, error: WebhookAddress.refusal(host: host, reason: reason).message)
                }
            } catch {
                return .failed(status: nil, error: String(describing: error))
            }
        }
        do {
            let timestamp = Int(Date().timeIntervalSince1970)
            var request = HTTPClientRequest(url: claim.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "headway/\(BuildInfo.version)")
            request.headers.add(name: "webhook-id", value: message.id)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            request.headers.add(
                name: "webhook-signature", value: try WebhookSignature.header(secret: claim.secret, messageID: message.id, timestamp: timestamp, body: message.body))
            request.body = .bytes(ByteBuffer(string: message.body))
            // The answer's body is not read: only its status counts, and a receiver that streams
            // a body for ever must not hold the hook.
            let response = try await client.execute(request, timeout: Self.requestTimeout)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .delivered(status: status) : .failed(status: status, error: "HTTP \(status) \(response.status.reasonPhrase)")
        } catch {
            return .failed(status: nil, error: Self.describe(error))
        }
    }

    /// Why `host` resolves to a private address, resolved on a thread of its own (resolving blocks).
    private static func privateReason(host: String) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try WebhookAddress.privateReasonResolving(host: host) })
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "no answer within \(requestTimeout.nanoseconds / 1_000_000_000) s"
            case .connectTimeout: return "could not connect within \(connectTimeout.nanoseconds / 1_000_000_000) s"
            default: return "HTTP client: \(error)"
            }
        }
        return String(describing: error)
    }
}
