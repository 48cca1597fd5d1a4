import Foundation
import TicketSyncServer
import Yams

/// `ticketsyncd serve --config FILE`: the same settings as the flags, in YAML. Flags given on the
/// command line win over the file. Unknown keys and wrong types are errors that name the line.
///
///     data_dir: /var/lib/ticketsync
///     database: postgres://ticketsync@db.internal:5432/ticketsync   # optional; SQLite in data_dir if absent
///     listen: 0.0.0.0:7443
///     certificate: /etc/ticketsync/server.pem
///     key: /etc/ticketsync/server-key.pem
///     log_level: info
///     max_message_bytes: 8388608
///     max_batch_operations: 5000
///     policy: /etc/ticketsync/sla-policy.yaml
///     sla_time_rule: bounded
///     webhooks:
///       ops-alerts:
///         url: https://alerts.example.com/ticketsync
///         secret_file: /etc/ticketsync/ops-alerts.secret   # or secret: TEXT
///         events: [sla.breach, sla.escalation]            # default: every event
///     webhook_max_attempts: 8        # then the event is dead
///     webhook_retry_base_ms: 1000    # the first retry's delay; doubles, with jitter
///     webhook_timeout_ms: 10000      # one attempt, connecting included
///     sla_lease_ms: 30000            # a node's claim on due timers; then another node may take them
///     sla_plan_delay_ms: 1000        # planning lets appends go first for at most this long; 0: never waits
struct ConfigFile: Equatable {
    var dataDirectory: String?
    var database: String?
    var listen: String?
    var certificate: String?
    var key: String?
    var logLevel: String?
    var maxMessageBytes: Int?
    var maxBatchOperations: Int?
    var policy: String?
    var slaTimeRule: String?
    var webhooks: [WebhookEndpoint] = []
    var webhookMaxAttempts: Int?
    var webhookRetryBaseMillis: Int?
    var webhookTimeoutMillis: Int?
    var slaLeaseMillis: Int?
    var slaPlanDelayMillis: Int?

    static let keys = [
        "data_dir", "database", "listen", "certificate", "key", "log_level", "max_message_bytes", "max_batch_operations", "policy",
        "sla_time_rule", "webhooks", "webhook_max_attempts", "webhook_retry_base_ms", "webhook_timeout_ms",
        "sla_lease_ms", "sla_plan_delay_ms",
    ]

    /// Reads and checks a configuration file.
    static func load(path: String) throws(ServerError) -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServerError(.invalidArgument, "cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Parses configuration text; `path` only names the file in errors.
    static func parse(_ text: String, path: String) throws(ServerError) -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ServerError(.invalidArgument, "\(path): not valid YAML: \(error)")
        }
        var config = ConfigFile()
        guard let root else { return config }
        guard case .mapping(let mapping) = root else {
            throw ServerError(.invalidArgument, "\(path):\(root.mark?.line ?? 1): expected key: value lines (\(keys.joined(separator: ", ")))")
        }
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard let key = keyNode.string, keys.contains(key) else {
                throw ServerError(
                    .invalidArgument, "\(path):\(line): unknown key '\(keyNode.string ?? "?")'; known keys: \(keys.joined(separator: ", "))"
                )
            }
            func text() throws(ServerError) -> String {
                guard let string = value.string, case .scalar = value else {
                    throw ServerError(.invalidArgument, "\(path):\(line): '\(key)' takes a text value")
                }
                return string
            }
            func number() throws(ServerError) -> Int {
                guard let number = value.int else {
                    throw ServerError(.invalidArgument, "\(path):\(line): '\(key)' takes a whole number, not '\(value.string ?? "?")'")
                }
                return number
            }
            switch key {
            case "data_dir": config.dataDirectory = try text()
            case "database": config.database = try text()
            case "listen": config.listen = try text()
            case "certificate": config.certificate = try text()
            case "key": config.key = try text()
            case "log_level": config.logLevel = try text()
            case "max_message_bytes": config.maxMessageBytes = try number()
            case "policy": config.policy = try text()
            case "sla_time_rule": config.slaTimeRule = try text()
            case "webhooks": config.webhooks = try WebhookConfig.parse(value, path: path)
            case "webhook_max_attempts": config.webhookMaxAttempts = try number()
            case "webhook_retry_base_ms": config.webhookRetryBaseMillis = try number()
            case "webhook_timeout_ms": config.webhookTimeoutMillis = try number()
            case "sla_lease_ms": config.slaLeaseMillis = try number()
            case "sla_plan_delay_ms": config.slaPlanDelayMillis = try number()
            default: config.maxBatchOperations = try number()
            }
        }
        return config
    }
}
