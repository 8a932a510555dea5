import Foundation
import LogStore

/// Everything derived from the seed that every chunk shares: routes, instances, users, the
/// traffic shape and the incident.
final class World: @unchecked Sendable {
    let key: UInt64
    let start: Int64
    let minutes: Int
    let incidentStart: Int64, incidentEnd: Int64
    let incidentMinutes: Range<Int>
    var cumulative: [String: [Double]] = [:]

    struct Route { let name: String; let q: [UInt8]; let role: Int; let url: String; let median: Double; let sigma: Double; let graphy: Bool; let health: Bool; let deps: [Int] }
    struct Dep { let type: [UInt8]; let target: [UInt8]; let name: [UInt8]; let data: [UInt8]; let median: Double; let sigma: Double }
    var routes: [Route] = []
    var routeCum: [Double] = []
    var deps: [Dep] = []
    let roles: [[UInt8]] = [q("evhub-gateway"), q("evhub-backend")]
    var instances: [[String]] = [[], []]
    var instanceQ: [[[UInt8]]] = [[], []]
    var badInstances: Set<String> = []
    let appId: [UInt8], iKey: [UInt8], resourceId: [UInt8]
    let cities: [(String, String, String)] = [("Seattle", "Washington", "United States"), ("Redmond", "Washington", "United States"),
        ("New York", "New York", "United States"), ("London", "England", "United Kingdom"), ("Amsterdam", "North Holland", "Netherlands"),
        ("Berlin", "Land Berlin", "Germany"), ("Paris", "Île-de-France", "France"), ("Bengaluru", "Karnataka", "India"),
        ("Tokyo", "Tokyo", "Japan"), ("Sydney", "New South Wales", "Australia"), ("São Paulo", "Sao Paulo", "Brazil"), ("", "", "")]
    let cityCum: [Double]
    let users = 4000
    let userCum: [Double]

    static let resources = ["projects", "sessions", "artifacts", "knowledge", "graphs", "entities", "relations", "documents",
                            "pipelines", "jobs", "users", "tenants", "workspaces", "events", "exports", "webhooks", "tokens", "models"]
    static let exceptionTypes: [(String, [String], Double, Double)] = [
        ("System.NullReferenceException", ["Object reference not set to an instance of an object."], 14, 2),
        ("System.ArgumentException", ["Value does not fall within the expected range. (Parameter 'id')"], 6, 1),
        ("System.InvalidOperationException", ["Sequence contains no elements"], 9, 2),
        ("Evhub.Domain.ProjectNotFoundException", ["Project was not found."], 10, 2),
        ("System.UnauthorizedAccessException", ["Access to the project is denied."], 4, 1),
        ("System.TimeoutException", ["The operation has timed out.", "Timeout after 30000ms waiting for a Neo4j connection from pool 'kg-evhub' (in use: 100/100)."], 4, 30),
        ("System.Threading.Tasks.TaskCanceledException", ["A task was canceled."], 5, 18),
        ("Neo4j.Driver.ServiceUnavailableException", ["Failed to connect to any routing server."], 1, 35),
        ("Microsoft.Data.SqlClient.SqlException", ["Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not responding."], 3, 12),
        ("System.Net.Http.HttpRequestException", ["Response status code does not indicate success: 503 (Service Unavailable)."], 4, 15),
        ("StackExchange.Redis.RedisTimeoutException", ["Timeout performing GET (5000ms), inst: 0, qu: 0, qs: 12"], 1, 6),
    ]
    static let services = ["ProjectService", "SessionService", "ArtifactService", "KnowledgeService", "GraphService", "EntityResolver",
                           "SearchService", "UserService", "WebhookDispatcher", "Neo4jRepository", "SqlProjectRepository", "RedisCache"]
    static let verbs = ["Get", "Create", "Update", "Delete", "List", "Extract", "Resolve", "Query", "Upload", "Index"]
    static let events: [(String, Double, Int)] = [("SessionStarted", 30, 3), ("ProjectOpened", 18, 4), ("SearchPerformed", 14, 3),
        ("ArtifactUploaded", 9, 5), ("KnowledgeExtracted", 8, 6), ("GraphQueried", 7, 3), ("ProjectCreated", 4, 4), ("EntityEdited", 4, 3),
        ("CommentAdded", 3, 2), ("ExportRequested", 2, 2), ("SessionEnded", 12, 2), ("DashboardViewed", 6, 3)]
    let exceptionCum: [Double], exceptionCumIncident: [Double], eventCum: [Double]

    init(seed: UInt64, start: Int64, days: Int) {
        key = mix64(seed &+ 0x5EED)
        self.start = start
        minutes = days * 1440
        // The incident: 13:42 UTC on the fifth day (or the middle of a shorter window), 20 minutes.
        let incidentMinute = days >= 5 ? 4 * 1440 + 13 * 60 + 42 : max(0, minutes / 2 - 10)
        incidentMinutes = incidentMinute..<min(minutes, incidentMinute + 20)
        incidentStart = start + Int64(incidentMinutes.lowerBound) * Ticks.perMinute
        incidentEnd = start + Int64(incidentMinutes.upperBound) * Ticks.perMinute
        appId = World.guidQ(mix64(key ^ 1), mix64(key ^ 2))
        iKey = World.guidQ(mix64(key ^ 3), mix64(key ^ 4))
        var sub = LineWriter(); sub.guid(mix64(key ^ 5), mix64(key ^ 6))
        let subscription = String(decoding: sub.buf.dropFirst().dropLast(), as: UTF8.self)
        resourceId = q("/subscriptions/\(subscription)/resourcegroups/rg-evhub-prod/providers/microsoft.insights/components/evhub-prod")
        cityCum = World.cumulative([9, 6, 7, 8, 5, 4, 4, 5, 3, 3, 2, 4])
        userCum = World.cumulative((0..<users).map { 1 / pow(Double($0 + 1), 0.8) })
        exceptionCum = World.cumulative(World.exceptionTypes.map { $0.2 })
        exceptionCumIncident = World.cumulative(World.exceptionTypes.map { $0.3 })
        eventCum = World.cumulative(World.events.map { $0.1 })

        var rng = SplitMix64(seed: seed &* 7919 &+ 17)
        for role in 0..<2 {
            let name = role == 0 ? "evhub-gateway" : "evhub-backend"
            for k in 0..<(role == 0 ? 4 : 6) {
                let h = mix64(key ^ UInt64(k * 977 + role * 31))
                instances[role].append("\(name)-\(String(h & 0xF_FFFF_FFFF, radix: 16))-\(String(h >> 44, radix: 36).prefix(5))")
            }
            instanceQ[role] = instances[role].map { q($0) }
        }
        badInstances = [instances[1][1], instances[1][4]]

        // Dependencies
        func dep(_ type: String, _ target: String, _ name: String, _ data: String, _ med: Double, _ sig: Double) -> Int {
            deps.append(Dep(type: q(type), target: q(target), name: q(name), data: q(data), median: med, sigma: sig)); return deps.count - 1
        }
        let sqlHealth = dep("SQL", "evhub-sql.database.windows.net | evhubdb", "evhub-sql.database.windows.net | evhubdb", "SELECT 1", 2, 0.5)
        let redisPing = dep("Redis", "evhub-cache.redis.cache.windows.net:6380", "PING", "PING", 0.6, 0.4)
        let openai = dep("HTTP", "evhub-openai.openai.azure.com", "POST /openai/deployments/gpt-4o/chat/completions",
                         "https://evhub-openai.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01", 1400, 0.6)
        // Routes: health probe, then resources × verbs on the gateway, then backend routes.
        var rts: [(String, Int, Bool)] = [("GET /health", 0, false)]
        for r in World.resources {
            for v in ["GET /v1/\(r)", "GET /v1/\(r)/{id}", "POST /v1/\(r)", "PUT /v1/\(r)/{id}", "DELETE /v1/\(r)/{id}"] { rts.append((v, 0, false)) }
        }
        for r in ["extract", "graph/{id}", "graph/{id}/neighbors", "knowledge/query", "embeddings", "index/{id}", "entities/resolve", "search", "jobs/{id}"] {
            rts.append(((r.hasPrefix("graph") || r.hasPrefix("jobs") ? "GET" : "POST") + " /internal/v1/" + r, 1, true))
        }
        for (i, (name, role, _)) in rts.enumerated() {
            let path = String(name.split(separator: " ")[1])
            let res = path.split(separator: "/").dropFirst(role == 0 ? 1 : 2).first.map(String.init) ?? "health"
            let graphy = ["knowledge", "graphs", "entities", "relations", "graph", "extract", "embeddings", "search"].contains(res)
            let health = i == 0
            let slow = res == "extract" || res == "embeddings" || res == "models"
            let med = health ? 1.5 : slow ? 1500 + rng.unit() * 2500 : name.hasPrefix("GET") ? 12 + rng.unit() * 80 : 40 + rng.unit() * 220
            var d: [Int] = []
            if health { d = [sqlHealth, redisPing] } else {
                d.append(dep("Redis", "evhub-cache.redis.cache.windows.net:6380", "GET", "GET \(res):{id}", 0.9, 0.6))
                let table = res.prefix(1).uppercased() + res.dropFirst()
                d.append(dep("SQL", "evhub-sql.database.windows.net | evhubdb", rng.unit() < 0.6 ? "evhub-sql.database.windows.net | evhubdb" : "dbo.usp_Get\(table)",
                             name.hasPrefix("GET") ? "SELECT [p].[Id], [p].[Name] FROM [\(table)] AS [p] WHERE [p].[Id] = @__id_0" : "SET NOCOUNT ON; INSERT INTO [\(table)] ([Id], [Name]) VALUES (@p0, @p1);",
                             4 + rng.unit() * 11, 0.9))
                if graphy {
                    d.append(dep("Neo4j", "neo4j+s://kg.evhub.internal:7687", "kg.Read\(table).Graph", "MATCH (e:Entity {id: $id})-[r]-(n) RETURN type(r), n LIMIT 200", 20 + rng.unit() * 40, 1))
                }
                if role == 0 && (graphy || rng.unit() < 0.25) {
                    d.append(dep("HTTP", "evhub-backend.evhub.svc.cluster.local:8080", "POST /internal/v1/\(res)", "http://evhub-backend.evhub.svc.cluster.local:8080/internal/v1/\(res)", 40 + rng.unit() * 110, 0.9))
                }
                if slow { d.append(openai) }
            }
            let host = role == 0 ? "https://evhub-gateway.azurewebsites.net" : "http://evhub-backend.evhub.svc.cluster.local:8080"
            routes.append(Route(name: name, q: q(name), role: role, url: host + path, median: med, sigma: health ? 0.5 : slow ? 0.7 : 0.85,
                                graphy: graphy, health: health, deps: d))
        }
        var weights = (0..<routes.count).map { 1 / pow(Double($0 + 1), 1.05) }
        weights[0] = weights[1] * 2.2
        routeCum = World.cumulative(weights)

        // Traffic shape: diurnal, quieter weekends, heavier in the incident for some tables.
        let mult: [String: Double] = ["requests": 1.35, "dependencies": 1.5, "exceptions": 14, "customEvents": 0.7, "traces": 2.5,
                                      "AppServiceConsoleLogs": 4, "AppServiceAuthenticationLogs": 1.2, "AzureDiagnostics": 6]
        var noise = SplitMix64(seed: seed &* 31 &+ 5)
        var base: [Double] = []
        for m in 0..<minutes {
            let day = m / 1440, h = Double(m % 1440) / 60
            var shape = 0.30 + 0.70 * exp(-pow((h - 14.5) / 4.2, 2)) + 0.15 * exp(-pow((h - 3.5) / 2.5, 2))
            if day % 7 >= 5 { shape *= 0.45 }
            base.append(shape * (0.92 + 0.16 * noise.unit()))
        }
        for t in TelemetryGenerator.tables {
            cumulative[t] = World.cumulative((0..<minutes).map { base[$0] * (incidentMinutes.contains($0) ? mult[t]! : 1) })
        }
    }

    static func cumulative(_ w: [Double]) -> [Double] {
        let total = w.reduce(0, +)
        var acc = 0.0
        var out = w.map { acc += $0; return acc / total }
        out[out.count - 1] = 1
        return out
    }

    @inline(__always) static func pick(_ cum: [Double], _ u: Double) -> Int {
        var lo = 0, hi = cum.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if cum[mid] <= u { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    static func guidQ(_ a: UInt64, _ b: UInt64) -> [UInt8] { var w = LineWriter(); w.guid(a, b); return w.buf }

    /// The i-th of n rows falls at this quantile of the table's time distribution, plus jitter:
    /// files come out nearly, not exactly, in time order, as real exports do.
    func rowTime(_ table: String, _ i: Int, _ n: Int, _ rng: inout SplitMix64) -> Int64 {
        let cum = cumulative[table]!
        let u = (Double(i) + rng.unit()) / Double(n)
        let m = World.pick(cum, u)
        let lo = m > 0 ? cum[m - 1] : 0
        let f = min(max((u - lo) / max(cum[m] - lo, 1e-300), 0), 0.9999999)
        let t = start + Int64(m) * Ticks.perMinute + Int64(f * Double(Ticks.perMinute)) + Int64(rng.below(2_000_000)) - 1_000_000
        return max(start, t)
    }

    func inIncident(_ t: Int64) -> Bool { t >= incidentStart && t < incidentEnd }

    func operationId(_ request: Int) -> String {
        let h = mix64(key ^ UInt64(request) &* 0x9E37_79B1)
        let h2 = mix64(h ^ 0xA5A5)
        var w = LineWriter(); w.hex(h2, digits: 16); w.hex(mix64(h2 ^ 0x77), digits: 16)
        return String(decoding: w.buf, as: UTF8.self)
    }

    /// The request running at time t: child telemetry inherits its operation, route and user.
    func parent(_ t: Int64, requests n: Int) -> Int {
        let cum = cumulative["requests"]!
        let m = min(max(Int((t - start) / Ticks.perMinute), 0), minutes - 1)
        let f = Double((t - start) % Ticks.perMinute) / Double(Ticks.perMinute)
        let lo = m > 0 ? cum[m - 1] : 0
        return min(max(Int((lo + f * (cum[m] - lo)) * Double(n)), 0), n - 1)
    }

    struct RequestContext { let route: Int; let user: Int; let h: UInt64; let opId: UInt64; let opId2: UInt64; let instance: Int }

    func context(_ i: Int) -> RequestContext {
        let h = mix64(key ^ UInt64(i) &* 0x9E37_79B1)
        let h2 = mix64(h ^ 0xA5A5)
        let route = World.pick(routeCum, Double(h & 0xFFFF_FFFF) / 4_294_967_296.0)
        let user = World.pick(userCum, Double((h >> 32) & 0xFF_FFFF) / 16_777_216.0)
        let role = routes[route].role
        return RequestContext(route: route, user: user, h: h, opId: h2, opId2: mix64(h2 ^ 0x77), instance: Int((h >> 56) % UInt64(instances[role].count)))
    }

    func common(_ w: inout LineWriter, _ c: RequestContext, _ rng: inout SplitMix64, opName: [UInt8]? = nil, itemCount: Int = 1) {
        let r = routes[c.route]
        w.raw(",\"operation_Name\":"); w.q(opName ?? r.q)
        w.raw(",\"operation_Id\":\""); w.hex(c.opId, digits: 16); w.hex(c.opId2, digits: 16)
        w.raw("\",\"operation_ParentId\":\""); w.hex(mix64(c.h ^ 0x4444), digits: 16)
        w.raw("\",\"operation_SyntheticSource\":\"\",\"session_Id\":\"")
        let hu = mix64(key ^ UInt64(c.user) &* 0x51ED27)
        let anonymous = c.user % 7 == 0
        if !anonymous { w.hex(hu ^ 0x5E55, digits: 16) }
        w.raw("\",\"user_Id\":\""); if !anonymous { w.hex(hu, digits: 12) }
        w.raw("\",\"user_AuthenticatedId\":\""); if c.user % 3 == 0 { w.raw("user"); w.int(c.user); w.raw("@contoso.com") }
        w.raw("\",\"user_AccountId\":\"\",\"application_Version\":\"1.8.4\",\"client_Type\":\"PC\",\"client_Model\":\"\",\"client_OS\":\"\",\"client_IP\":\"0.0.0.0\"")
        let city = cities[World.pick(cityCum, Double((hu >> 20) & 0xFFFF) / 65536.0)]
        w.raw(",\"client_City\":"); w.str(city.0); w.raw(",\"client_StateOrProvince\":"); w.str(city.1)
        w.raw(",\"client_CountryOrRegion\":"); w.str(city.2)
        w.raw(",\"client_Browser\":\"\",\"cloud_RoleName\":"); w.q(roles[r.role])
        w.raw(",\"cloud_RoleInstance\":"); w.q(instanceQ[r.role][c.instance])
        w.raw(",\"appId\":"); w.q(appId); w.raw(",\"appName\":\"evhub-prod\",\"iKey\":"); w.q(iKey)
        w.raw(",\"sdkVersion\":\"dotnetc:2.22.0-997\",\"itemId\":"); w.guid(rng.next(), rng.next())
        w.raw(",\"itemCount\":"); w.int(itemCount)
        w.raw(",\"_ResourceId\":"); w.q(resourceId); w.raw("}\n")
    }

    func request(_ i: Int, _ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter) {
        let c = context(i)
        let r = routes[c.route]
        var dur = rng.lognormal(median: r.median, sigma: r.sigma)
        if rng.unit() < 0.004 { dur *= 5 + 20 * rng.unit() }
        var code = r.name.hasPrefix("POST") ? "201" : r.name.hasPrefix("DELETE") ? "204" : "200"
        var ok = true
        let bad = badInstances.contains(instances[r.role][c.instance])
        let x = rng.unit()
        if inIncident(t) && (r.graphy || bad) {
            if x < (bad ? 0.55 : 0.28) {
                ok = false
                let y = rng.unit()
                if y < 0.45 { code = "504"; dur = 30000 + 500 * rng.unit() } else if y < 0.8 { code = "503"; dur *= 4 + 6 * rng.unit() } else { code = "500"; dur *= 2 + 3 * rng.unit() }
            } else { dur *= 3 + 5 * rng.unit() }
        } else if inIncident(t) && x < 0.05 {
            ok = false; code = "502"; dur *= 3
        } else if x < 0.018 && !r.health {
            ok = false
            let y = rng.unit()
            code = y < 0.45 ? "404" : y < 0.65 ? "400" : y < 0.75 ? "401" : y < 0.82 ? "409" : y < 0.9 ? "429" : "500"
        }
        let itemCount = c.route < 6 && rng.unit() < 0.6 ? [2, 3, 5, 10][rng.below(4)] : (rng.unit() < 0.97 ? 1 : 2 + rng.below(3))
        w.raw("{\"timestamp\":"); w.timestamp(t)
        w.raw(",\"id\":\""); w.hex(mix64(c.h ^ 0x1234), digits: 16)
        w.raw("\",\"source\":\"\",\"name\":"); w.q(r.q)
        w.raw(",\"url\":\""); w.raw(Array(r.url.replacingOccurrences(of: "{id}", with: String(c.h & 0xFF_FFFF_FFFF, radix: 16)).utf8))
        w.raw("\",\"success\":"); w.raw(ok ? "true" : "false")
        w.raw(",\"resultCode\":\""); w.raw(Array(code.utf8))
        w.raw("\",\"duration\":"); w.fixed4(dur)
        w.raw(",\"performanceBucket\":\""); w.raw(World.bucket(dur))
        w.raw("\",\"itemType\":\"request\",\"customDimensions\":{\"AspNetCoreEnvironment\":\"Production\",\"userId\":\"")
        w.hex(mix64(key ^ UInt64(c.user) &* 0x51ED27), digits: 12)
        w.raw("\"},\"customMeasurements\":null")
        common(&w, c, &rng, itemCount: itemCount)
    }

    static func bucket(_ ms: Double) -> [UInt8] {
        let b: [(Double, String)] = [(250, "<250ms"), (500, "250ms-500ms"), (1000, "500ms-1sec"), (3000, "1sec-3sec"), (7000, "3sec-7sec"),
                                     (15000, "7sec-15sec"), (30000, "15sec-30sec"), (60000, "30sec-1min"), (120000, "1min-2min"), (300000, "2min-5min")]
        for (lim, name) in b where ms < lim { return Array(name.utf8) }
        return Array(">=5min".utf8)
    }

    func dependency(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter, requests: Int) {
        let c = context(parent(t, requests: requests))
        let r = routes[c.route]
        let d = deps[r.deps[rng.below(r.deps.count)]]
        var dur = rng.lognormal(median: d.median, sigma: d.sigma)
        if rng.unit() < 0.003 { dur *= 5 + 30 * rng.unit() }
        var ok = true
        let type = String(decoding: d.type.dropFirst().dropLast(), as: UTF8.self)
        var code = type == "SQL" ? "0" : type == "Redis" || type == "Neo4j" ? "" : "200"
        let x = rng.unit()
        if inIncident(t) && ["Neo4j", "SQL", "HTTP"].contains(type) && x < (type == "Neo4j" ? 0.6 : 0.3) {
            ok = false
            if type == "Neo4j" { code = rng.unit() < 0.4 ? "ServiceUnavailable" : "Timeout"; dur = 30000 + 200 * rng.unit() }
            else if type == "SQL" { code = "-2"; dur = 30000 + 100 * rng.unit() }
            else { code = rng.unit() < 0.6 ? "503" : "504"; dur *= 8 }
        } else if inIncident(t) && x < 0.8 && type != "Redis" {
            dur *= 2 + 4 * rng.unit()
        } else if x < 0.01 {
            ok = false
            code = type == "SQL" ? "1205" : type == "HTTP" ? "429" : type == "Redis" ? "Timeout" : "TransientError"
        }
        w.raw("{\"timestamp\":"); w.timestamp(t)
        w.raw(",\"id\":\""); w.hex(rng.next(), digits: 16)
        w.raw("\",\"target\":"); w.q(d.target); w.raw(",\"type\":"); w.q(d.type); w.raw(",\"name\":"); w.q(d.name)
        w.raw(",\"data\":"); w.q(d.data)
        w.raw(",\"success\":"); w.raw(ok ? "true" : "false")
        w.raw(",\"resultCode\":\""); w.raw(Array(code.utf8))
        w.raw("\",\"duration\":"); w.fixed4(dur)
        w.raw(",\"performanceBucket\":\""); w.raw(World.bucket(dur))
        w.raw("\",\"itemType\":\"dependency\",\"customDimensions\":{\"AspNetCoreEnvironment\":\"Production\"},\"customMeasurements\":null")
        common(&w, c, &rng, itemCount: rng.unit() < 0.95 ? 1 : [2, 3, 5, 10][rng.below(4)])
    }

    func exception(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter, requests: Int) {
        let c = context(parent(t, requests: requests))
        let k = World.pick(inIncident(t) ? exceptionCumIncident : exceptionCum, rng.unit())
        let (type, messages, _, _) = World.exceptionTypes[k]
        let msg = messages[rng.below(messages.count)]
        let svc = World.services[(k * 5 + rng.below(3)) % World.services.count]
        let verb = World.verbs[(k * 3 + rng.below(2)) % World.verbs.count]
        let ns = ["KnowledgeService", "GraphService", "EntityResolver", "Neo4jRepository"].contains(svc) ? "Backend" : "Gateway"
        let method = "Evhub.\(ns).Services.\(svc).\(verb)Async"
        let asm = "Evhub.\(ns), Version=1.8.4.0, Culture=neutral, PublicKeyToken=null"
        w.raw("{\"timestamp\":"); w.timestamp(t)
        w.raw(",\"problemId\":"); w.str("\(type) at \(method)")
        w.raw(",\"handledAt\":\"UserCode\",\"type\":"); w.str(type); w.raw(",\"message\":"); w.str(msg)
        w.raw(",\"assembly\":"); w.str(asm); w.raw(",\"method\":"); w.str(method)
        w.raw(",\"outerType\":"); w.str(type); w.raw(",\"outerMessage\":"); w.str(msg)
        w.raw(",\"outerAssembly\":"); w.str(asm); w.raw(",\"outerMethod\":"); w.str(method)
        w.raw(",\"innermostType\":"); w.str(type); w.raw(",\"innermostMessage\":"); w.str(msg)
        w.raw(",\"innermostAssembly\":"); w.str(asm); w.raw(",\"innermostMethod\":"); w.str(method)
        w.raw(",\"severityLevel\":"); w.int(rng.unit() < 0.85 ? 3 : 4)
        w.raw(",\"details\":[{\"severityLevel\":\"Error\",\"outerId\":\"0\",\"message\":"); w.str(msg)
        w.raw(",\"type\":"); w.str(type); w.raw(",\"id\":\""); w.int(rng.below(1 << 26))
        w.raw("\",\"parsedStack\":[{\"level\":0,\"method\":"); w.str(method); w.raw(",\"assembly\":"); w.str(asm)
        w.raw(",\"line\":"); w.int(20 + rng.below(400)); w.raw("}]}]")
        w.raw(",\"itemType\":\"exception\",\"customDimensions\":{\"AspNetCoreEnvironment\":\"Production\",\"CategoryName\":")
        w.str("Evhub.\(ns).Services.\(svc)"); w.raw("},\"customMeasurements\":null")
        common(&w, c, &rng)
    }

    func customEvent(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter, requests: Int) {
        let c = context(parent(t, requests: requests))
        let k = World.pick(eventCum, rng.unit())
        let (name, _, ids) = World.events[k]
        let eventId = 1000 + 50 * k + min(Int(pow(rng.unit(), 2) * Double(ids)), ids - 1)
        w.raw("{\"timestamp\":"); w.timestamp(t)
        w.raw(",\"name\":"); w.str(name)
        w.raw(",\"itemType\":\"customEvent\",\"customDimensions\":{\"eventId\":\""); w.int(eventId)
        w.raw("\",\"projectId\":"); w.guid(mix64(c.h ^ 99), mix64(c.h ^ 199))
        w.raw(",\"source\":\""); w.raw(rng.unit() < 0.6 ? "web" : "api"); w.raw("\"}")
        if name == "KnowledgeExtracted" || name == "SearchPerformed" || name == "ArtifactUploaded" {
            w.raw(",\"customMeasurements\":{\"durationMs\":"); w.fixed4(rng.lognormal(median: 240, sigma: 1))
            w.raw(",\"itemCount\":"); w.int(1 + rng.below(60)); w.raw("}")
        } else {
            w.raw(",\"customMeasurements\":null")
        }
        common(&w, c, &rng, itemCount: rng.unit() < 0.97 ? 1 : 2)
    }

    static let traceInfo = ["Request starting HTTP/1.1 GET /v1/projects", "Executed endpoint 'Evhub.Gateway.Controllers.ProjectsController.Get'",
                            "Cache hit for key project", "Cache miss for key project", "Neo4j query completed", "Job state changed from Running to Succeeded"]
    static let traceTimeout = ["Request timeout after 30000 ms calling kg.evhub.internal:7687", "Neo4j connection timeout (pool exhausted, 100/100 in use)",
                               "Upstream timeout from evhub-backend, returning 504 to caller", "SQL command timeout expired after 30000 ms on evhubdb"]
    static let traceWarn = ["Slow query detected for GET /v1/projects", "Retrying call to evhub-backend (attempt 2/3) after transient error",
                            "Timeouts are configured below recommended value for Redis", "Circuit breaker for kg.evhub.internal is half-open"]

    func trace(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter, requests: Int) {
        let c = context(parent(t, requests: requests))
        let x = rng.unit()
        let inc = inIncident(t)
        let (sev, msg, cat): (Int, String, String)
        if (inc && x < 0.35) || (!inc && x < 0.003) {
            (sev, msg, cat) = (3, World.traceTimeout[rng.below(World.traceTimeout.count)], "Evhub.Infrastructure.Resilience")
        } else if x < (inc ? 0.6 : 0.06) {
            (sev, msg, cat) = (2, World.traceWarn[rng.below(World.traceWarn.count)], "Evhub.Infrastructure.Diagnostics")
        } else {
            (sev, msg, cat) = (rng.unit() < 0.85 ? 1 : 0, World.traceInfo[rng.below(World.traceInfo.count)], "Microsoft.AspNetCore.Hosting.Diagnostics")
        }
        w.raw("{\"timestamp\":"); w.timestamp(t)
        w.raw(",\"message\":"); w.str(msg)
        w.raw(",\"severityLevel\":"); w.int(sev)
        w.raw(",\"itemType\":\"trace\",\"customDimensions\":{\"CategoryName\":"); w.str(cat); w.raw("},\"customMeasurements\":null")
        common(&w, c, &rng, itemCount: rng.unit() < 0.9 ? 1 : 2)
    }

    // Log Analytics tables

    func laCommon(_ w: inout LineWriter, type: StaticString) {
        w.raw(",\"_ResourceId\":\"/subscriptions/5c3d6c1e-0000-4000-8000-00000000e0b1/resourcegroups/rg-evhub-prod/providers/microsoft.web/sites/evhub-gateway\"")
        w.raw(",\"TenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"SourceSystem\":\"Azure\",\"Type\":\""); w.raw(type); w.raw("\"}\n")
    }

    static let consoleInfo = ["INFO  Evhub.Gateway started request pipeline", "INFO  Health check passed", "INFO  Cache warmed: 1200 keys",
                              "WARN  Slow response from evhub-backend", "INFO  Hosting environment: Production"]
    static let consoleError = ["ERROR Unhandled exception: System.TimeoutException: The operation has timed out.",
                               "ERROR Neo4j.Driver.ServiceUnavailableException: Failed to connect to any routing server.",
                               "ERROR Connection refused (evhub-backend.evhub.svc.cluster.local:8080)",
                               "ERROR Execution Timeout Expired on evhubdb"]

    func consoleLog(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter) {
        let error = rng.unit() < (inIncident(t) ? 0.5 : 0.02)
        let msg = error ? World.consoleError[rng.below(World.consoleError.count)] : World.consoleInfo[rng.below(World.consoleInfo.count)]
        w.raw("{\"TimeGenerated\":"); w.timestamp(t)
        w.raw(",\"Level\":\""); w.raw(error ? "Error" : msg.hasPrefix("WARN") ? "Warning" : "Informational")
        w.raw("\",\"Host\":"); w.q(instanceQ[0][rng.below(instances[0].count)])
        w.raw(",\"ResultDescription\":"); w.str(msg)
        w.raw(",\"ContainerId\":\""); w.hex(mix64(UInt64(rng.below(4)) ^ key), digits: 16)
        w.raw("\",\"OperationName\":\"Microsoft.Web/sites/log\",\"Category\":\"AppServiceConsoleLogs\"")
        laCommon(&w, type: "AppServiceConsoleLogs")
    }

    func authLog(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter) {
        let x = rng.unit()
        let (code, desc): (Int, String) = x < 0.80 ? (200, "Request authenticated") : x < 0.90 ? (302, "Redirect to login") :
            x < 0.97 ? (401, "Unauthorized: token expired") : (403, "Forbidden: insufficient role")
        w.raw("{\"TimeGenerated\":"); w.timestamp(t)
        w.raw(",\"Level\":\""); w.raw(code >= 400 ? "Warning" : "Informational")
        w.raw("\",\"Host\":\"evhub-gateway.azurewebsites.net\",\"ResultDescription\":"); w.str(desc)
        w.raw(",\"ResultCode\":"); w.int(code)
        w.raw(",\"Details\":\"\",\"ModuleRuntimeVersion\":\"1.6.0\",\"OperationName\":\"Authentication\",\"Category\":\"AppServiceAuthenticationLogs\"")
        laCommon(&w, type: "AppServiceAuthenticationLogs")
    }

    static let pgInfo = ["connection received: host=10.0.1.4 port=50412", "connection authorized: user=evhub database=evhubdb",
                         "disconnection: session time: 0:00:01.204 user=evhub database=evhubdb", "checkpoint complete: wrote 312 buffers",
                         "automatic vacuum of table \"evhubdb.public.projects\""]
    static let pgError = ["could not receive data from client: Connection reset by peer", "FATAL: remaining connection slots are reserved for non-replication superuser connections",
                          "FATAL: sorry, too many clients already (connection limit exceeded)", "canceling statement due to statement timeout"]

    func postgresLog(_ t: Int64, _ rng: inout SplitMix64, _ w: inout LineWriter) {
        let error = rng.unit() < (inIncident(t) ? 0.6 : 0.02)
        let msg = error ? World.pgError[rng.below(World.pgError.count)] : World.pgInfo[rng.below(World.pgInfo.count)]
        let flexible = rng.unit() < 0.2
        w.raw("{\"TimeGenerated\":"); w.timestamp(t)
        w.raw(",\"ResourceId\":\"/SUBSCRIPTIONS/5C3D6C1E-0000-4000-8000-00000000E0B1/RESOURCEGROUPS/RG-EVHUB-PROD/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/")
        w.raw(flexible ? "FLEXIBLESERVERS" : "SERVERS"); w.raw("/EVHUB-PG\",\"Category\":\"")
        w.raw(rng.unit() < 0.9 ? "PostgreSQLLogs" : "QueryStoreRuntimeStatistics")
        w.raw("\",\"ResourceProvider\":\"MICROSOFT.DBFORPOSTGRESQL\",\"ResourceType\":\""); w.raw(flexible ? "FLEXIBLESERVERS" : "SERVERS")
        w.raw("\",\"OperationName\":\"LogEvent\",\"Message\":"); w.str(msg)
        w.raw(",\"errorLevel_s\":\""); w.raw(msg.hasPrefix("FATAL") ? "FATAL" : error ? "ERROR" : "LOG")
        w.raw("\",\"processId_d\":"); w.int(1000 + rng.below(60000))
        w.raw(",\"LogicalServerName_s\":\"evhub-pg\",\"SubscriptionId\":\"5c3d6c1e-0000-4000-8000-00000000e0b1\",\"ResourceGroup\":\"RG-EVHUB-PROD\"")
        laCommon(&w, type: "AzureDiagnostics")
    }
}

func q(_ s: String) -> [UInt8] { var w = LineWriter(); w.str(s); return w.buf }
