import Foundation
import LogStore
import QueryLang

/// Finds an incident window in the data, for `logq report --incident`.
///
/// How it decides: `requests` is cut into 5-minute bins; bins with fewer than 20 requests are
/// ignored. Failures: the baseline is the failure rate of all bins pooled (p₀); a bin is abnormal
/// when its failure count is more than 5 binomial standard deviations above n·p₀, its rate is at
/// least twice p₀ and one percentage point above it (so that small bins with a few failures do not
/// count). Latency: the baseline is the median of the bins' 95th-percentile durations and the
/// spread their median absolute deviation × 1.4826; a bin is abnormal when its p95 is more than 6
/// spreads and half the baseline above it. Abnormal bins at most one normal bin apart form a run;
/// the run with the most abnormal bins is the incident (an incident lasts; a lone slow request
/// moves one bin's p95), ties going to the larger total excess in deviations. The window runs from
/// its first bin's start to its last bin's end.
public enum IncidentFinder {
    public struct Finding: Sendable {
        public var from: Int64
        public var to: Int64
        public var explanation: String
    }

    public struct NotFound: Error, CustomStringConvertible {
        public let description: String
    }

    static let bin = 5 * Ticks.perMinute
    static let minRequests = 20

    public static func find(store: Store, from: Int64? = nil, to: Int64? = nil) throws -> Finding {
        guard let schema = try store.schema(of: "requests"),
              schema.column(named: "timestamp")?.type == .datetime, schema.column(named: "success") != nil,
              schema.column(named: "duration") != nil else {
            throw NotFound(description: "--incident needs a 'requests' table with timestamp, success and duration columns; give --from and --to instead")
        }
        var o = CompileOptions()
        o.timeFrom = from; o.timeTo = to
        let q = """
        requests
        | summarize total = count(), failed = countif(tostring(success) in~ ("false", "0")), p95 = percentile(todouble(duration), 95)
            by t = bin(timestamp, 5m)
        | order by t asc
        """
        let r = try QueryEngine.compile(q, store: store, options: o).run()
        var times: [Int64] = [], rate: [Double] = [], p95: [Double] = [], counts: [Int64] = [], failures: [Int64] = []
        var requestsTotal: Int64 = 0, failedTotal: Int64 = 0
        for i in 0..<r.rowCount {
            guard case .datetime(let t) = r.value(row: i, column: 0), case .long(let n) = r.value(row: i, column: 1),
                  case .long(let f) = r.value(row: i, column: 2), n >= minRequests else { continue }
            let p: Double
            switch r.value(row: i, column: 3) { case .real(let v): p = v; case .long(let v): p = Double(v); default: continue }
            times.append(t); rate.append(Double(f) / Double(n)); p95.append(p); counts.append(n); failures.append(f)
            requestsTotal += n; failedTotal += f
        }
        guard times.count >= 12 else {
            throw NotFound(description: "--incident needs at least an hour of requests (12 five-minute bins with \(minRequests)+ requests); found \(times.count)")
        }
        let p0 = Double(failedTotal) / Double(max(requestsTotal, 1))
        let (pMed, pSpread) = robust(p95)
        let p95Limit = pMed + max(6 * pSpread, 0.5 * pMed)
        // Excess of each bin, in standard deviations; zero for normal bins.
        let excess: [Double] = times.indices.map { i in
            var e = 0.0
            let n = Double(counts[i]), expected = n * p0
            let z = (Double(failures[i]) - expected) / (n * p0 * (1 - p0)).squareRoot().nextUp
            if z > 5, rate[i] >= 2 * p0, rate[i] >= p0 + 0.01 { e += z }
            if p95[i] > p95Limit { e += (p95[i] - pMed) / max(pSpread, pMed * 0.05, 1e-9) }
            return e
        }
        var best: (start: Int, end: Int, bins: Int, score: Double)? = nil
        var i = 0
        while i < times.count {
            guard excess[i] > 0 else { i += 1; continue }
            var end = i, score = excess[i], bins = 1, j = i + 1
            while j < times.count {
                if excess[j] > 0, times[j] - times[end] <= 2 * bin { end = j; score += excess[j]; bins += 1; j += 1; continue }
                if excess[j] == 0, j + 1 < times.count, excess[j + 1] > 0, times[j + 1] - times[end] <= 2 * bin { j += 1; continue }
                break
            }
            if best == nil || bins > best!.bins || (bins == best!.bins && score > best!.score) { best = (i, end, bins, score) }
            i = end + 1
        }
        let fmt = { (v: Double) in String(format: "%.2f%%", v * 100) }
        guard let b = best else {
            throw NotFound(description: "no incident found: no 5-minute bin's failures rose 5 standard deviations above the baseline rate \(fmt(p0)) "
                           + "nor its p95 duration above \(AxisScale.label(p95Limit)) ms (baseline \(AxisScale.label(pMed)) ms); give --from and --to instead")
        }
        let peakRate = rate[b.start...b.end].max()!, peakP95 = p95[b.start...b.end].max()!
        let why = "Window found by --incident: \(b.bins) abnormal five-minute bin(s) of requests whose failures rose more than 5 standard deviations "
            + "above the baseline rate (peak \(fmt(peakRate)), baseline \(fmt(p0))) or whose p95 duration rose more than 6 robust deviations above "
            + "the median (peak \(AxisScale.label(peakP95)) ms, baseline \(AxisScale.label(pMed)) ms, threshold \(AxisScale.label(p95Limit)) ms)."
        return Finding(from: times[b.start], to: times[b.end] + bin, explanation: why)
    }

    /// Median and MAD × 1.4826.
    static func robust(_ v: [Double]) -> (Double, Double) {
        func median(_ x: [Double]) -> Double {
            let s = x.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        let m = median(v)
        return (m, 1.4826 * median(v.map { abs($0 - m) }))
    }
}
