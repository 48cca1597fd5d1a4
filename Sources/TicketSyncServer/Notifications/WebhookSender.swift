internal import AsyncHTTPClient
public import Logging
internal import NIOCore
internal import NIOHTTP1
internal import Synchronization
public import ServiceLifecycle

/// Delivers the webhook outbox, one `Service`: claims due deliveries (each claim is an attempt,
/// fenced by its number), POSTs each signed body to its endpoint, and records the outcome: 2xx
/// is delivered; anything else is retried with exponential backoff and jitter until the retry
/// policy's last attempt, after which the event is dead (`ticketsyncd webhooks` lists it).
///
/// Delivery is at least once: a crash between the endpoint's 2xx and the record of it sends the
/// event again after the claim's lease. Every body carries its `event_id` (and the
/// `X-TicketSync-Event` header), so a receiver that keeps the ids it accepted sees each event
/// exactly once.
public struct WebhookSender: Service {
    let store: any SLAStore
    let endpoints: [String: WebhookEndpoint]
    let retry: WebhookRetryPolicy
    let wakeup: Wakeup
    let now: @Sendable () -> UInt64
    let logger: Logger

    /// Deliveries sent at once.
    static let batch = 16

    /// Creates a sender for `endpoints`; `wakeup` is signalled when events are queued.
    public init(
        store: any SLAStore, endpoints: [WebhookEndpoint], retry: WebhookRetryPolicy, wakeup: Wakeup,
        now: @escaping @Sendable () -> UInt64, logger: Logger
    ) {
        self.store = store
        self.endpoints = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.retry = retry
        self.wakeup = wakeup
        self.now = now
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .milliseconds(Int64(min(retry.timeoutMillis, 10_000))), read: .milliseconds(Int64(retry.timeoutMillis)))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration, backgroundActivityLogger: logger)
        await cancelWhenGracefulShutdown {
            await self.loop(client)
        }
        try? await client.shutdown()
    }

    /// Keeps up to ``batch`` deliveries in flight, each on its own: a slow or unreachable
    /// endpoint holds only its own deliveries, never the others'. A finished delivery and newly
    /// queued events both wake the claimer.
    private func loop(_ client: HTTPClient) async {
        let inFlight = InFlight()
        await withDiscardingTaskGroup { group in
            var failures = 0
            while !Task.isCancelled {
                do {
                    let capacity = Self.batch - inFlight.count.load(ordering: .relaxed)
                    if capacity > 0 {
                        // The lease covers one attempt's timeout and then some.
                        let claims = try await store.claimWebhooks(now: now(), limit: capacity, leaseMillis: retry.timeoutMillis * 3)
                        failures = 0
                        for delivery in claims {
                            inFlight.count.add(1, ordering: .relaxed)
                            group.addTask {
                                await self.deliver(delivery, client)
                                inFlight.count.subtract(1, ordering: .relaxed)
                                self.wakeup.signal()
                            }
                        }
                        if !claims.isEmpty { continue }
                    }
                    let next = try await store.nextWebhookDue()
                    let timeout = next.map { due -> Duration in
                        let current = now()
                        return .milliseconds(Int64(due > current ? due - current : 0))
                    }
                    await wakeup.wait(upTo: timeout)
                } catch {
                    if Task.isCancelled { return }
                    failures += 1
                    logger.error("webhook outbox failed; retrying", metadata: ["ticketsync.error": .string("\(error)")])
                    await wakeup.wait(upTo: .milliseconds(min(30_000, 100 << min(failures, 8))))
                }
            }
        }
    }

    func deliver(_ delivery: WebhookDelivery, _ client: HTTPClient) async {
        let event = delivery.event
        var logger = self.logger
        logger[metadataKey: "ticketsync.webhook"] = .string(event.endpoint)
        logger[metadataKey: "ticketsync.event"] = .string(event.eventID)
        let failure: String?
        if let endpoint = endpoints[event.endpoint] {
            failure = await post(event, to: endpoint, client)
        } else {
            failure = "endpoint '\(event.endpoint)' is not configured any more; add it back to the configuration"
        }
        let outcome: WebhookOutcome
        if let failure {
            ServerMetrics.shared.webhookFailed(dead: delivery.attempt >= retry.maxAttempts)
            if delivery.attempt >= retry.maxAttempts {
                outcome = .dead(error: failure)
                logger.warning("webhook event is dead", metadata: ["ticketsync.error": .string(failure)])
            } else {
                var random = SystemRandomNumberGenerator()
                outcome = .retry(nextAttemptMillis: now() + retry.delay(afterAttempt: delivery.attempt, random: &random), error: failure)
                logger.info("webhook attempt failed", metadata: ["ticketsync.error": .string(failure), "ticketsync.attempt": .stringConvertible(delivery.attempt)])
            }
        } else {
            outcome = .delivered
        }
        do {
            try await store.finishWebhook(delivery, outcome: outcome, now: now())
        } catch {
            logger.error("could not record a webhook delivery", metadata: ["ticketsync.error": .string("\(error)")])
        }
    }

    /// POSTs one event; nil if the endpoint answered 2xx, else what went wrong.
    func post(_ event: WebhookEvent, to endpoint: WebhookEndpoint, _ client: HTTPClient) async -> String? {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ticketsyncd")
        request.headers.add(name: "X-TicketSync-Event", value: event.eventID)
        request.headers.add(name: "X-TicketSync-Event-Type", value: event.type)
        request.headers.add(name: WebhookSignature.header, value: WebhookSignature.value(body: event.body, secret: endpoint.secret))
        request.body = .bytes(ByteBuffer(bytes: event.body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(retry.timeoutMillis)), logger: logger)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) { return nil }
            return "HTTP \(response.status.code) from \(endpoint.url)"
        } catch {
            return "could not POST to \(endpoint.url): \(error)"
        }
    }
}

/// The number of deliveries in flight, shared by the claimer and the deliveries.
private final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}
