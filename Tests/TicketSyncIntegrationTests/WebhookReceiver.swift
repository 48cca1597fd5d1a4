import Foundation

/// A webhook receiver on loopback: a small Python `http.server` that answers 500 to the first
/// `failFirst` attempts of each event, then 200, and records every delivery it accepted (event
/// id, type, attempt, whether the signature was right). It stops by itself after `lifetime` s.
final class WebhookReceiver: @unchecked Sendable {
    static let script = #"""
    import hashlib, hmac, http.server, json, sys, threading
    secret = sys.argv[1].encode(); fail_first = int(sys.argv[2]); log_path = sys.argv[3]; lifetime = float(sys.argv[4])
    attempts = {}
    lock = threading.Lock()
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            signature = self.headers.get('X-TicketSync-Signature', '')
            expected = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
            event = json.loads(body)
            with lock:
                attempts[event['event_id']] = attempts.get(event['event_id'], 0) + 1
                attempt = attempts[event['event_id']]
                if attempt <= fail_first:
                    self.send_response(500); self.send_header('Content-Length', '0'); self.end_headers(); return
                with open(log_path, 'a') as f:
                    f.write(json.dumps({'event_id': event['event_id'], 'type': event['type'], 'ticket': event.get('ticket'),
                        'attempt': attempt, 'valid': hmac.compare_digest(signature, expected),
                        'header_id': self.headers.get('X-TicketSync-Event')}) + '\n')
            self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
        def log_message(self, *args): pass
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    print(server.server_address[1], flush=True)
    timer = threading.Timer(lifetime, server.shutdown); timer.daemon = True; timer.start()
    server.serve_forever()
    """#

    let process = Process()
    let logPath: String
    private(set) var port = 0

    init(directory: String, secret: String, failFirst: Int, lifetime: Double = 120) throws {
        let scriptPath = directory + "/receiver.py"
        logPath = directory + "/accepted.jsonl"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, secret, String(failFirst), logPath, String(lifetime)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = out.fileHandleForReading.availableData
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestFailure("the webhook receiver did not print its port")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Every delivery accepted so far.
    func accepted() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Ends the receiver with SIGKILL (it keeps nothing unwritten: each accepted delivery is
    /// appended and closed as it comes). SIGTERM did not end it: the test process passes its
    /// handling of SIGTERM on to the child, which then lived out its whole lifetime.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
