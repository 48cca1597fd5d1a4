/// A webhook endpoint, configured by name: where events go and the secret that signs them.
public struct WebhookEndpoint: Hashable, Sendable {
    /// The endpoint's name (policies and the outbox refer to it).
    public var name: String
    /// The URL events are POSTed to (`http` or `https`).
    public var url: String
    /// The HMAC-SHA256 key for `X-TicketSync-Signature`.
    public var secret: [UInt8]
    /// The event types it receives (`sla.warning`, `sla.breach`, `sla.escalation`,
    /// `sla.update_reminder`); nil: all of them.
    public var events: Set<String>?

    /// Every event type the server sends.
    public static let eventTypes = ["sla.warning", "sla.breach", "sla.escalation", "sla.update_reminder"]

    /// Creates an endpoint; checks the name, the URL's scheme and the event types.
    public init(name: String, url: String, secret: [UInt8], events: Set<String>? = nil) throws(ServerError) {
        guard !name.isEmpty, name.utf8.count <= 64,
            name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F })
        else {
            throw ServerError(.invalidArgument, "webhook name '\(name.prefix(80))' must be 1-64 characters of a-z, 0-9, - or _")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count <= 2048 else {
            throw ServerError(.invalidArgument, "webhook '\(name)': url '\(url.prefix(80))' must start with http:// or https://")
        }
        guard !secret.isEmpty else {
            throw ServerError(.invalidArgument, "webhook '\(name)' has an empty secret; give one (it signs every event)")
        }
        if let unknown = events?.subtracting(Self.eventTypes).sorted().first {
            throw ServerError(
                .invalidArgument, "webhook '\(name)': unknown event '\(unknown.prefix(40))'; known: \(Self.eventTypes.joined(separator: ", "))"
            )
        }
        self.name = name
        self.url = url
        self.secret = secret
        self.events = events
    }

    /// Whether the endpoint receives events of `type`.
    public func receives(_ type: String) -> Bool { events?.contains(type) ?? true }
}

/// How the sender retries: exponential backoff with full jitter, and when it gives up.
public struct WebhookRetryPolicy: Hashable, Sendable {
    /// Attempts before an event is dead.
    public var maxAttempts: Int
    /// The delay before the second attempt (milliseconds); it doubles each time.
    public var baseDelayMillis: UInt64
    /// The longest delay (milliseconds).
    public var maxDelayMillis: UInt64
    /// How long one attempt may take (milliseconds).
    public var timeoutMillis: UInt64

    /// Defaults: 8 attempts, 1 s doubling to at most 10 min, 10 s per attempt.
    public init(maxAttempts: Int = 8, baseDelayMillis: UInt64 = 1000, maxDelayMillis: UInt64 = 600_000, timeoutMillis: UInt64 = 10_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
        self.timeoutMillis = timeoutMillis
    }

    /// The delay after failed attempt number `attempt` (1-based): half the exponential delay
    /// plus a random half ("equal jitter"), so retries spread out but never shrink to nothing.
    public func delay(afterAttempt attempt: Int, random: inout some RandomNumberGenerator) -> UInt64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let (product, overflow) = baseDelayMillis.multipliedReportingOverflow(by: 1 << UInt64(exponent))
        let full = overflow ? maxDelayMillis : min(maxDelayMillis, product)
        let half = full / 2
        return half + (half == 0 ? 0 : UInt64.random(in: 0...half, using: &random))
    }
}
