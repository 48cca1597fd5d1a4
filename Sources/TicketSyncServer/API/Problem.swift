internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// An HTTP API error, sent as `application/problem+json` (RFC 9457): a stable `type` per kind of
/// problem, a human `title`, the HTTP `status`, a `detail` that says what to change, and the
/// request `field` at fault when there is one.
struct Problem: Error, Sendable {
    /// The kind of problem: the last part of the `type` URI (`urn:ticketsync:problem:KIND`).
    var kind: String
    var status: HTTPResponse.Status
    var detail: String
    var field: String?

    init(_ status: HTTPResponse.Status, _ kind: String, _ detail: String, field: String? = nil) {
        self.status = status
        self.kind = kind
        self.detail = detail
        self.field = field
    }

    static func badRequest(_ detail: String, field: String? = nil) -> Problem { Problem(.badRequest, "invalid-request", detail, field: field) }
    static func invalidField(_ field: String, _ detail: String) -> Problem { Problem(.unprocessableContent, "invalid-field", detail, field: field) }
    static func unauthorized(_ detail: String) -> Problem { Problem(.unauthorized, "unauthorized", detail) }
    static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, "out-of-scope", detail) }
    static func notFound(_ detail: String) -> Problem { Problem(.notFound, "not-found", detail) }

    var response: Response {
        var object: [String: Any] = [
            "type": "urn:ticketsync:problem:\(kind)", "title": status.reasonPhrase, "status": status.code, "detail": detail,
        ]
        if let field { object["field"] = field }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"ticketsync\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A JSON response.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
