import Testing
import TicketSyncServer
import TicketTestSupport

/// The webhook signature and retry schedule (pure pieces of the sender).
@Suite struct WebhookSigningTests {
    @Test func signatureIsHMACSHA256OfTheBodyInHex() {
        // RFC 4231-style known answer (the classic "quick brown fox" HMAC-SHA256 vector).
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(
            WebhookSignature.value(body: body, secret: Array("key".utf8))
                == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
        #expect(WebhookSignature.value(body: body, secret: Array("other".utf8)) != WebhookSignature.value(body: body, secret: Array("key".utf8)))
    }

    @Test(arguments: [UInt64(1), 42, 0xDEAD_BEEF])
    func retryDelaysDoubleWithJitterAndStayCapped(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let policy = WebhookRetryPolicy(maxAttempts: 8, baseDelayMillis: 1_000, maxDelayMillis: 60_000)
        for attempt in 1...40 {
            let full = min(60_000, 1_000 * (UInt64(1) << UInt64(min(attempt - 1, 30))))
            let delay = policy.delay(afterAttempt: attempt, random: &random)
            #expect(delay >= full / 2 && delay <= full, "seed \(seed), attempt \(attempt): \(delay) outside [\(full / 2), \(full)]")
        }
    }

    @Test func endpointsRefuseBadNamesURLsAndEvents() {
        #expect(throws: ServerError.self) { try WebhookEndpoint(name: "Bad Name", url: "https://x", secret: [1]) }
        #expect(throws: ServerError.self) { try WebhookEndpoint(name: "ops", url: "ftp://x", secret: [1]) }
        #expect(throws: ServerError.self) { try WebhookEndpoint(name: "ops", url: "https://x", secret: []) }
        #expect(throws: ServerError.self) { try WebhookEndpoint(name: "ops", url: "https://x", secret: [1], events: ["sla.nope"]) }
        let endpoint = try? WebhookEndpoint(name: "ops", url: "https://x", secret: [1], events: ["sla.breach"])
        #expect(endpoint?.receives("sla.breach") == true && endpoint?.receives("sla.warning") == false)
    }
}
