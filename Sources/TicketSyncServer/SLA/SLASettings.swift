public import TicketSLA

/// How the server runs its SLA authority: the policies, the counted-time rule, the webhook
/// endpoints and how deliveries are retried.
public struct SLASettings: Sendable {
    /// The SLA policies (default: TicketSLA's default set, 2 h / 8 h / 24 h tiers).
    public var policies: PolicySet
    /// Which time counts for the SLA.
    public var timeRule: CountedTimeRule
    /// Webhook endpoints by name.
    public var webhooks: [WebhookEndpoint]
    /// How deliveries are retried.
    public var retry: WebhookRetryPolicy
    /// Whether the SLA services run at all.
    public var enabled: Bool
    /// How long a node's claim on due timers holds (milliseconds): a node that dies or stalls
    /// while firing has its timers claimed by another node this long after it claimed them.
    public var leaseMillis: UInt64 = 30_000
    /// How long planning may let stations' pushes go first (milliseconds; see
    /// ``SLAEngine/Settings/maxPlanDelayMillis``); 0: it never waits for them.
    public var maxPlanDelayMillis: UInt64 = 1_000

    /// The defaults: the default policies, `bounded` time, no webhooks.
    public init(
        policies: PolicySet = .default, timeRule: CountedTimeRule = .bounded, webhooks: [WebhookEndpoint] = [],
        retry: WebhookRetryPolicy = WebhookRetryPolicy(), enabled: Bool = true
    ) {
        self.policies = policies
        self.timeRule = timeRule
        self.webhooks = webhooks
        self.retry = retry
        self.enabled = enabled
    }
}
