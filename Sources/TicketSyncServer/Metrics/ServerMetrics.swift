internal import CoreMetrics

internal import Prometheus
internal import Synchronization
internal import TicketReports
internal import TicketSLA

/// The server's metrics (swift-metrics, kept by a Prometheus registry of this process and served
/// at `/metrics` in the Prometheus text format). Every label set is bounded: `source` has three
/// values, `kind` four, and the SLA gauges one series per policy × metric × state, policies
/// coming from the operator's file.
public final class ServerMetrics: Sendable {
    /// The process's metrics (a server is one process; its registry is not the global one, so
    /// nothing else bootstraps over it).
    public static let shared = ServerMetrics()

    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    /// Operations made durable, by source: `station` (pushes), `api` (integrations), `server` (SLA engine).
    let operationsIn: [String: CoreMetrics.Counter]
    /// Operations delivered to stations.
    let operationsOut: CoreMetrics.Counter
    /// From a push's arrival to its acknowledgement being durable.
    let pushLatency: CoreMetrics.Timer
    /// Timer lateness: firing transaction committed minus due time.
    let timerLag: CoreMetrics.Timer
    /// Webhook attempts that failed, by kind of failure (`retry`, `dead`).
    let webhookFailures: [String: CoreMetrics.Counter]
    let connectedStations: CoreMetrics.Gauge
    let slaGauges = Mutex<[String: CoreMetrics.Gauge]>([:])

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
        operationsIn = Dictionary(uniqueKeysWithValues: ["station", "api", "server"].map { source in
            (source, CoreMetrics.Counter(label: "ticketsync_operations_in_total", dimensions: [("source", source)], factory: factory))
        })
        operationsOut = CoreMetrics.Counter(label: "ticketsync_operations_out_total", factory: factory)
        pushLatency = CoreMetrics.Timer(label: "ticketsync_push_duration_seconds", factory: factory)
        timerLag = CoreMetrics.Timer(label: "ticketsync_timer_lag_seconds", factory: factory)
        webhookFailures = Dictionary(uniqueKeysWithValues: ["retry", "dead"].map { kind in
            (kind, CoreMetrics.Counter(label: "ticketsync_webhook_failures_total", dimensions: [("outcome", kind)], factory: factory))
        })
        connectedStations = CoreMetrics.Gauge(label: "ticketsync_connected_stations", factory: factory)
    }

    func operationsAccepted(_ count: Int, source: String) {
        if count > 0 { operationsIn[source]?.increment(by: count) }
    }

    func delivered(_ count: Int) { if count > 0 { operationsOut.increment(by: count) } }

    func webhookFailed(dead: Bool) { webhookFailures[dead ? "dead" : "retry"]?.increment() }

    /// The Prometheus text: gauges that are read, not counted (connected stations, the SLA
    /// clocks of the last 30 days' tickets per policy) are set first.
    func render(connected: Int, facts: [TicketFacts]?, now: UInt64) -> [UInt8] {
        connectedStations.record(connected)
        if let facts {
            var counts: [String: (policy: String, metric: String, state: String, count: Int)] = [:]
            for ticket in facts {
                for clock in ticket.clocks {
                    let state = clock.isAtRisk(at: now) ? "at_risk" : clock.state(at: now).rawValue
                    let key = "\(ticket.policy)|\(clock.metric)|\(state)"
                    counts[key, default: (ticket.policy, clock.metric, state, 0)].count += 1
                }
            }
            slaGauges.withLock { gauges in
                for gauge in gauges.values { gauge.record(0) }
                for (key, value) in counts {
                    let gauge = gauges[key] ?? CoreMetrics.Gauge(
                        label: "ticketsync_sla_clocks", dimensions: [("policy", value.policy), ("metric", value.metric), ("state", value.state)],
                        factory: factory
                    )
                    gauges[key] = gauge
                    gauge.record(value.count)
                }
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
