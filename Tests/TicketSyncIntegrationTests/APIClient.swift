import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// An HTTPS client for the server's HTTP API in tests: trusts the server's development CA.
final class APIClient: Sendable {
    let client: HTTPClient
    let base: String

    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: Data
        var headers: HTTPHeaders
        /// The body as a JSON object (empty if it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    init(_ server: ServerProcess) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(server.caFile)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.redirectConfiguration = .disallow  // the tests look at redirects themselves
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = "https://localhost:\(server.port)"
    }

    func shutdown() async throws { try await client.shutdown() }

    func call(
        _ method: HTTPMethod, _ path: String, key: String? = nil, json: Any? = nil, raw: Data? = nil, contentType: String = "application/json",
        headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        let body = try raw ?? json.map { try JSONSerialization.data(withJSONObject: $0) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
            body: Data(bytes.readableBytesView), headers: response.headers
        )
    }
}
