import ArgumentParser
import Foundation
import TicketModel

/// `ticketsync-bench merge --trace FILE`: the CRDT model alone, in memory, beside the Yrs peer.
struct MergeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Replay a trace through one in-memory replica per trace replica, then merge them all.",
        discussion: """
            Phase 0 creates are made by their replicas and synced to all (a barrier), phase 1 ops \
            are applied by each replica as local edits (timed: apply), then a fresh replica merges \
            all replicas (timed: merge) in forward, reverse and shuffled order; the digests must agree. \
            Prints one JSON object.
            """
    )

    @Option(help: "A trace written by ../shared/bench/gen_trace.py.")
    var trace: String

    @Option(help: "Seed of the shuffled merge order.")
    var seed: UInt64 = 42

    @Option(help: "Run this peer script on the same trace after our run (e.g. ../shared/bench/peer_pycrdt.py).")
    var peer: String?

    @Option(help: "The Python that runs the peer (a venv with ../shared/bench/requirements.txt).")
    var python: String = "/tmp/bench-venv/bin/python"

    func run() throws {
        let (loaded, loadSeconds) = try Measure.time { try Trace.load(path: self.trace) }
        var trace = loaded
        let replicaCount = trace.replicas.count
        var replicas = (0..<replicaCount).map { TicketReplica(id: Trace.replicaID($0)) }
        let endOfTrace = Trace.epochMillis + 40 * 3_600_000

        // Phase 0 and the baseline sync.
        for index in 0..<replicaCount {
            for step in trace.replicas[index].0 { _ = try replicas[index].perform(step) }
        }
        let baseline = replicas
        for index in 0..<replicaCount {
            for other in baseline.indices where other != index {
                replicas[index].merge(baseline[other], physicalMillis: endOfTrace)
            }
        }
        let baselineCounts = replicas.map(\.operationCount)

        // Phase 1: local edits, timed.
        var phase1Ops = 0
        var applySeconds = 0.0
        for index in 0..<replicaCount {
            let steps = trace.replicas[index].1
            replicas[index].reserveCapacity(operations: replicas[index].operationCount + steps.count, tickets: 0)
            let (_, seconds) = try Measure.time {
                for step in steps { _ = try replicas[index].perform(step) }
            }
            applySeconds += seconds
            phase1Ops += steps.count
        }

        trace.replicas = []  // the steps are applied; free them before the merges

        // Encodings: every replica's own operations, and its offline delta alone.
        var encodedBytes = 0
        var encodedDeflateBytes = 0
        var deltaBytes = 0
        var deltaDeflateBytes = 0
        var fullLogs: [[UInt8]] = []
        let (_, encodeSeconds) = Measure.time {
            for (index, replica) in replicas.enumerated() {
                let own = replica.log.filter { $0.id.replica == replica.id }
                let encoded = OperationCodec.encode(sortedByID: own)
                encodedBytes += encoded.count
                encodedDeflateBytes += Measure.deflatedSize(encoded)
                let delta = OperationCodec.encode(sortedByID: Array(replica.log[baselineCounts[index]...]))
                deltaBytes += delta.count
                deltaDeflateBytes += Measure.deflatedSize(delta)
                fullLogs.append(OperationCodec.encode(sortedByID: replica.log.sorted { $0.id < $1.id }))
            }
        }

        // Merge from bytes first, as a server would: decode every replica's full log and apply it.
        // The encoded logs are dropped right after, so they do not add to the peak below.
        var fromBytes = TicketReplica(id: ReplicaID(0xFEED))
        let (_, decodeMergeSeconds) = try Measure.time {
            for bytes in fullLogs {
                let ops = try OperationCodec.decode(bytes)
                _ = fromBytes.apply(batch: ops, physicalMillis: endOfTrace)
            }
        }
        let fromBytesDigest = fromBytes.digest().description
        fromBytes = TicketReplica(id: ReplicaID(0xFEED))
        fullLogs = []

        // Merge into a fresh replica in three orders, one at a time.
        var generator = SplitMix64(seed: seed)
        let orders: [(String, [Int])] = [
            ("forward", Array(0..<replicaCount)),
            ("reverse", Array((0..<replicaCount).reversed())),
            ("shuffled", Array(0..<replicaCount).shuffled(using: &generator)),
        ]
        var digests: [String: String] = [:]
        var mergeSeconds: [String: Double] = [:]
        var mergedTickets = 0
        var mergedOperations = 0
        for (name, order) in orders {
            var fresh = TicketReplica(id: ReplicaID(0xFEED))
            let (_, seconds) = Measure.time {
                for index in order { fresh.merge(replicas[index], physicalMillis: endOfTrace) }
            }
            mergeSeconds[name] = Measure.rounded(seconds)
            digests[name] = fresh.digest().description
            mergedTickets = fresh.ticketCount
            mergedOperations = fresh.operationCount
        }
        let digest = digests["forward"]!
        let identical = Set(digests.values).count == 1 && fromBytesDigest == digest

        var result: [String: Any] = [
            "trace": trace.count > 0 ? self.trace : "",
            "ops": trace.count,
            "replicas": replicaCount,
            "phase1_ops": phase1Ops,
            "load_seconds": Measure.rounded(loadSeconds, 3),
            "apply_seconds": Measure.rounded(applySeconds),
            "apply_ops_per_second": Int(Double(phase1Ops) / applySeconds),
            "apply_us_per_op": Measure.rounded(applySeconds * 1e6 / Double(max(1, phase1Ops)), 3),
            "merge_seconds": mergeSeconds["forward"]!,
            "merge_seconds_by_order": mergeSeconds,
            "merge_from_bytes_seconds": Measure.rounded(decodeMergeSeconds),
            "encode_seconds": Measure.rounded(encodeSeconds),
            "encoded_bytes": encodedBytes,
            "encoded_deflate_bytes": encodedDeflateBytes,
            "bytes_per_op_deflate": Measure.rounded(Double(encodedDeflateBytes) / Double(max(1, trace.count)), 2),
            "offline_delta_bytes": deltaBytes,
            "offline_delta_deflate_bytes": deltaDeflateBytes,
            "offline_delta_bytes_per_op_deflate": Measure.rounded(Double(deltaDeflateBytes) / Double(max(1, phase1Ops)), 2),
            "merged_tickets": mergedTickets,
            "merged_ops": mergedOperations,
            "digest": digest,
            "orders_identical": identical,
            "peak_rss_mib": Measure.rounded(Measure.peakRSSMiB(), 1),
        ]
        if let peer {
            let peerResult = try Peer(python: python, script: peer).run(arguments: [self.trace, "--no-delta-sizes"])
            result["peer"] = peerResult
            var ratios: [String: Double] = [:]
            if let theirs = peerResult.number("phase1_apply_ops_per_s") {
                ratios["apply_throughput_vs_peer"] = Measure.rounded(Double(phase1Ops) / applySeconds / theirs, 2)
            }
            if let theirs = peerResult.number("merge_full_updates_s.A_forward") {
                ratios["merge_time_vs_peer"] = Measure.rounded(mergeSeconds["forward"]! / theirs, 3)
            }
            if let theirs = peerResult.number("offline_delta_zlib6_bytes_per_op") {
                ratios["bytes_per_op_vs_peer"] = Measure.rounded(Double(deltaDeflateBytes) / Double(max(1, phase1Ops)) / theirs, 3)
            }
            if let theirs = peerResult.number("peak_rss_mib") {
                ratios["peak_rss_vs_peer"] = Measure.rounded(Measure.peakRSSMiB() / theirs, 3)
            }
            result["ratios"] = ratios
        }
        try Measure.printJSON(result)
        if !identical { throw ExitCode(1) }
    }
}

/// A small seeded generator (SplitMix64) so benchmark orders replay exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
