import Foundation
import LogStore

/// HyperLogLog with 2^14 one-byte registers (Flajolet et al.), with linear counting for small
/// counts. Values are hashed with a 64-bit mix so that ints, reals and strings share one sketch.
struct HyperLogLog {
    static let p = 14
    var registers = [UInt8](repeating: 0, count: 1 << HyperLogLog.p)

    static func hash(_ x: Int64) -> UInt64 {
        var z = UInt64(bitPattern: x) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return hash(Int64(bitPattern: h))
    }

    mutating func add(_ h: UInt64) {
        let index = Int(h >> UInt64(64 - HyperLogLog.p))
        let rest = (h << UInt64(HyperLogLog.p)) | (1 << UInt64(HyperLogLog.p - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    mutating func merge(_ o: HyperLogLog) {
        for i in 0..<registers.count where o.registers[i] > registers[i] { registers[i] = o.registers[i] }
    }

    var estimate: Int64 {
        let m = Double(registers.count)
        var sum = 0.0, zeros = 0
        for r in registers { sum += 1 / Double(UInt64(1) << UInt64(r)); if r == 0 { zeros += 1 } }
        let alpha = 0.7213 / (1 + 1.079 / m)
        var e = alpha * m * m / sum
        if e <= 2.5 * m && zeros > 0 { e = m * log(m / Double(zeros)) }
        return Checked.int64(rounding: e) ?? Int64.max // every register at its maximum would estimate past 2^63
    }
}
