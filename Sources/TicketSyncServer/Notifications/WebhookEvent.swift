/// A webhook event to queue in the outbox: one per endpoint. `eventID` is its idempotency key
/// (sent in the body and the `X-TicketSync-Event` header); queueing an id twice keeps one.
public struct WebhookEvent: Hashable, Sendable {
    /// The idempotency key, derived from what caused the event (the timer and the endpoint), so a
    /// repeated effect cannot queue a second event.
    public var eventID: String
    /// The endpoint's configured name.
    public var endpoint: String
    /// The event type: `sla.warning`, `sla.breach`, `sla.escalation`, `sla.update_reminder`.
    public var type: String
    /// The JSON body, exactly as it will be sent and signed.
    public var body: [UInt8]

    /// Creates an event.
    public init(eventID: String, endpoint: String, type: String, body: [UInt8]) {
        self.eventID = eventID
        self.endpoint = endpoint
        self.type = type
        self.body = body
    }
}

/// A delivery claimed by the sender: the event and which attempt this is (1 for the first).
public struct WebhookDelivery: Hashable, Sendable {
    /// The outbox row id.
    public var id: Int64
    /// The event.
    public var event: WebhookEvent
    /// This attempt's number (the fence: only this attempt may record its outcome).
    public var attempt: Int

    /// Creates a delivery.
    public init(id: Int64, event: WebhookEvent, attempt: Int) {
        self.id = id
        self.event = event
        self.attempt = attempt
    }
}

/// How a delivery attempt went.
public enum WebhookOutcome: Hashable, Sendable {
    /// The endpoint answered 2xx.
    case delivered
    /// It failed; try again at `nextAttemptMillis`.
    case retry(nextAttemptMillis: UInt64, error: String)
    /// It failed for the last time; the event is dead (listed by `ticketsyncd webhooks`).
    case dead(error: String)
}

/// Where an outbox row is.
public struct WebhookState: Hashable, Sendable, CustomStringConvertible {
    /// The stored code.
    public let code: Int
    /// Wraps a stored code.
    public init(code: Int) { self.code = code }

    /// Waiting for its next attempt.
    public static let pending = WebhookState(code: 0)
    /// Accepted by the endpoint.
    public static let delivered = WebhookState(code: 1)
    /// Given up after the last attempt.
    public static let dead = WebhookState(code: 2)

    public var description: String {
        switch code {
        case 0: return "pending"
        case 1: return "delivered"
        case 2: return "dead"
        default: return "state \(code)"
        }
    }
}

/// An outbox row, for `ticketsyncd webhooks`.
public struct WebhookRecord: Hashable, Sendable {
    /// The row id.
    public var id: Int64
    /// The idempotency key.
    public var eventID: String
    /// The endpoint's name.
    public var endpoint: String
    /// The event type.
    public var type: String
    /// Its state.
    public var state: WebhookState
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due (pending rows).
    public var nextAttemptMillis: UInt64
    /// The last failure, if any.
    public var lastError: String?
    /// When it was queued.
    public var createdMillis: UInt64
    /// When it was accepted (delivered rows).
    public var deliveredMillis: UInt64?

    /// Creates a record.
    public init(
        id: Int64, eventID: String, endpoint: String, type: String, state: WebhookState, attempts: Int, nextAttemptMillis: UInt64,
        lastError: String?, createdMillis: UInt64, deliveredMillis: UInt64?
    ) {
        self.id = id
        self.eventID = eventID
        self.endpoint = endpoint
        self.type = type
        self.state = state
        self.attempts = attempts
        self.nextAttemptMillis = nextAttemptMillis
        self.lastError = lastError
        self.createdMillis = createdMillis
        self.deliveredMillis = deliveredMillis
    }
}
