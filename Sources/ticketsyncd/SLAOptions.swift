import Foundation
import TicketSLA
import TicketSyncServer

/// `serve --policy FILE --sla-time-rule RULE` and the SLA keys of the configuration file.
enum SLAOptions {
    static func settings(policy path: String?, timeRule: String?, file: ConfigFile) throws(ServerError) -> SLASettings {
        var settings = SLASettings()
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ServerError(.invalidArgument, "cannot read the policy file \(path): \(error.localizedDescription)")
            }
            do {
                settings.policies = try PolicySet(yaml: text, file: path)
            } catch {
                throw ServerError(.invalidArgument, error.description)
            }
        }
        if let timeRule {
            guard let rule = CountedTimeRule(named: timeRule) else {
                throw ServerError(.invalidArgument, "--sla-time-rule '\(timeRule.prefix(40))' is not 'bounded' or 'receipt'")
            }
            settings.timeRule = rule
        }
        settings.webhooks = file.webhooks
        if let attempts = file.webhookMaxAttempts {
            guard (1...100).contains(attempts) else {
                throw ServerError(.invalidArgument, "webhook_max_attempts \(attempts) is outside 1...100")
            }
            settings.retry.maxAttempts = attempts
        }
        if let base = file.webhookRetryBaseMillis {
            guard (1...3_600_000).contains(base) else {
                throw ServerError(.invalidArgument, "webhook_retry_base_ms \(base) is outside 1...3600000")
            }
            settings.retry.baseDelayMillis = UInt64(base)
        }
        if let timeout = file.webhookTimeoutMillis {
            guard (100...120_000).contains(timeout) else {
                throw ServerError(.invalidArgument, "webhook_timeout_ms \(timeout) is outside 100...120000")
            }
            settings.retry.timeoutMillis = UInt64(timeout)
        }
        if let lease = file.slaLeaseMillis {
            guard (1_000...3_600_000).contains(lease) else {
                throw ServerError(.invalidArgument, "sla_lease_ms \(lease) is outside 1000...3600000")
            }
            settings.leaseMillis = UInt64(lease)
        }
        if let delay = file.slaPlanDelayMillis {
            guard (0...60_000).contains(delay) else {
                throw ServerError(.invalidArgument, "sla_plan_delay_ms \(delay) is outside 0...60000")
            }
            settings.maxPlanDelayMillis = UInt64(delay)
        }
        return settings
    }
}
