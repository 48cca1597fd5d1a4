internal import CompressNIO
internal import HummingbirdWSCompression
public import HummingbirdWebSocket
internal import NIOWebSocket

/// permessage-deflate whose inflate limit ends the session with close code 1009 (message too
/// big), as RFC 6455 says, instead of 1011 (server error): WSCore maps a decompression error to
/// 1011, which a station could not tell from a server bug.
struct BoundedDeflateBuilder: WebSocketExtensionBuilder {
    static let name = "permessage-deflate"
    let inner: any WebSocketExtensionBuilder

    /// Deflate that inflates at most `maxDecompressedBytes` per frame.
    static func factory(maxDecompressedBytes: Int) -> WebSocketExtensionFactory {
        WebSocketExtensionFactory {
            BoundedDeflateBuilder(inner: WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: maxDecompressedBytes).build())
        }
    }

    func clientRequestHeader() -> String { inner.clientRequestHeader() }
    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? { inner.serverReponseHeader(to: request) }
    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try inner.serverExtension(from: request).map(BoundedExtension.init)
    }
    func clientExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try inner.clientExtension(from: request).map(BoundedExtension.init)
    }
}

struct BoundedExtension: WebSocketExtension {
    let inner: any WebSocketExtension
    var name: String { inner.name }
    var reservedBits: WebSocketFrame.ReservedBits { inner.reservedBits }

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        do {
            return try await inner.processReceivedFrame(frame, context: context)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            // WSCore closes with 1009 for this error.
            throw NIOWebSocketError.invalidFrameLength
        }
    }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        try await inner.processFrameToSend(frame, context: context)
    }

    func shutdown() async { await inner.shutdown() }
}
