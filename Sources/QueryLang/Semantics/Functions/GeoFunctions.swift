import Foundation
import LogStore

/// Geospatial functions.
enum GeoFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        // The great-circle distance in meters on a sphere of radius 6,371,010 m (S2's Earth, which reproduces the docs' example);
        // null for a coordinate out of range (longitude ±180, latitude ±90) or null.
        r.def(["geo_distance_2points"], 4, 4) { a, r in call("geo_distance_2points", a, .real, r) { v in
            guard let lon1 = v[0].asDouble, let lat1 = v[1].asDouble, let lon2 = v[2].asDouble, let lat2 = v[3].asDouble,
                  abs(lon1) <= 180, abs(lon2) <= 180, abs(lat1) <= 90, abs(lat2) <= 90 else { return .null }
            let rad = Double.pi / 180
            let dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad
            let h = pow(sin(dLat / 2), 2) + cos(lat1 * rad) * cos(lat2 * rad) * pow(sin(dLon / 2), 2)
            return .real(2 * 6_371_010 * asin(min(1, sqrt(h))))
        } }
    }
}
