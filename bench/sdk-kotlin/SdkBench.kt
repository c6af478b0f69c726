// bench/sdk-kotlin: the generated Kotlin Bus (dev.openagentio.acp.runtime) against raw jnats doing
// the same work on the same nats-server, in alternating rounds (driven by bench/sdk-kotlin.ts).
//
// "The same work": the raw side builds every envelope it sends (UUIDv7 id, RFC 3339 time, the
// catalogue fields, correlation, seq), JSON-encodes it, and parses every envelope it receives
// and checks its correlation_id, as an agent must without the bus; it skips what the bus adds
// (schema validation both ways, context propagation, the cancel extension, bounds).
//
// Prints one JSON line per round: {"round": r, "which": "bus"|"raw", "p50_us", "invokes_per_s",
// "frames_per_s", "publishes_per_s"}.
package dev.openagentio.bench

import dev.openagentio.acp.JsonSupport
import dev.openagentio.acp.runtime.Bus
import dev.openagentio.acp.runtime.Frame
import dev.openagentio.acp.runtime.NatsTransport
import io.nats.client.Connection
import io.nats.client.Nats
import io.nats.client.Options
import java.nio.charset.StandardCharsets
import java.security.SecureRandom
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import kotlin.system.exitProcess
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put

private val REQUEST = buildJsonObject { put("question", "What is my balance?"); put("account", "ACC-1042") }
private val RESULT = buildJsonObject { put("balance", 1042.5); put("currency", "EUR") }
private val random = SecureRandom()
private val TIME: DateTimeFormatter = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC)

private val HEX = "0123456789abcdef".toCharArray()

private fun hex(bytes: ByteArray): String {
    val out = CharArray(bytes.size * 2)
    for ((i, b) in bytes.withIndex()) {
        out[2 * i] = HEX[(b.toInt() shr 4) and 15]
        out[2 * i + 1] = HEX[b.toInt() and 15]
    }
    return String(out)
}

private fun uuid7(): String {
    val ms = System.currentTimeMillis()
    val b = ByteArray(16)
    random.nextBytes(b)
    for (i in 0 until 6) b[i] = (ms ushr (8 * (5 - i))).toByte()
    b[6] = ((b[6].toInt() and 0x0f) or 0x70).toByte()
    b[8] = ((b[8].toInt() and 0x3f) or 0x80).toByte()
    val h = hex(b)
    return "${h.substring(0, 8)}-${h.substring(8, 12)}-${h.substring(12, 16)}-${h.substring(16, 20)}-${h.substring(20)}"
}

/** An envelope as the raw side builds it: the same fields the bus writes. */
private fun envelope(eventType: String, frameType: String?, phase: String, from: String, to: String?, payload: JsonElement, extra: Map<String, JsonElement> = emptyMap()): ByteArray {
    val obj = LinkedHashMap<String, JsonElement>()
    obj["spec_version"] = JsonPrimitive("acp/1.0")
    obj["schema_version"] = JsonPrimitive(2)
    obj["event_id"] = JsonPrimitive(uuid7())
    obj["event_type"] = JsonPrimitive(eventType)
    obj["occurred_at"] = JsonPrimitive(TIME.format(Instant.now().truncatedTo(ChronoUnit.MICROS)))
    obj["from"] = JsonPrimitive(from)
    if (to != null) obj["to"] = JsonPrimitive(to)
    if (frameType != null) obj["frame_type"] = JsonPrimitive(frameType)
    obj["phase"] = JsonPrimitive(phase)
    obj.putAll(extra)
    obj["payload"] = payload
    return JsonSupport.compact(JsonObject(obj)).toByteArray(StandardCharsets.UTF_8)
}

private fun parse(data: ByteArray): JsonObject = JsonSupport.parse(String(data, StandardCharsets.UTF_8)).jsonObject

private fun eventId(data: ByteArray): String = parse(data)["event_id"]!!.jsonPrimitive.content

private suspend fun <T> timed(block: suspend () -> T): Pair<T, Double> {
    val t0 = System.nanoTime()
    val r = block()
    return r to (System.nanoTime() - t0) / 1e9
}

private class Sides(url: String, frames: Int) {
    val serverT: NatsTransport = runBlocking { NatsTransport.connect(url) }
    val clientT: NatsTransport = runBlocking { NatsTransport.connect(url) }
    val server: Bus
    val client: Bus
    val rawServer: Connection = Nats.connect(Options.Builder().server(url).build())
    val rawClient: Connection = Nats.connect(Options.Builder().server(url).build())
    private val rawReplies = ConcurrentHashMap<String, (ByteArray) -> Unit>()
    private val rawInbox: String = rawClient.createInbox()
    private val ids = AtomicLong()

    init {
        server = Bus(serverT, agentId = "bench")
        client = Bus(clientT, agentId = "bench-client")
        runBlocking {
            server.handleInvoke("bench") { _, _ -> RESULT }
            server.handleStream("bench.stream") { _, w, _ ->
                for (i in 0 until frames) w.delta("tok ")
                JsonPrimitive(frames)
            }
            server.subscribe("bench.note") { _, _ -> }
            serverT.flush()
        }
        // raw responder: parse the request, answer with a reply envelope built per message
        val d = rawServer.createDispatcher()
        d.subscribe("raw.invoke.bench") { m ->
            val req = parse(m.data)
            val corr = mapOf("correlation_id" to req["event_id"]!!, "is_final" to JsonPrimitive(true))
            rawServer.publish(m.replyTo, envelope("agent.response.final", "response.final", "completed", "bench", req["from"]!!.jsonPrimitive.content, RESULT, corr))
        }
        d.subscribe("raw.stream.bench") { m ->
            val req = parse(m.data)
            val reply = req["reply_to"]!!.jsonPrimitive.content
            val to = req["from"]!!.jsonPrimitive.content
            val corr = req["event_id"]!!
            val delta = buildJsonObject { put("delta", "tok ") }
            for (i in 0 until frames) {
                rawServer.publish(reply, envelope("agent.response.delta", "response.delta", "working", "bench", to, delta, mapOf("correlation_id" to corr, "seq" to JsonPrimitive(i))))
            }
            rawServer.publish(reply, envelope("agent.response.final", "response.final", "completed", "bench", to, JsonPrimitive(frames), mapOf("correlation_id" to corr, "seq" to JsonPrimitive(frames), "is_final" to JsonPrimitive(true))))
        }
        d.subscribe("raw.events.bench.note") { m -> parse(m.data) }
        rawServer.flush(java.time.Duration.ofSeconds(5))
        // raw client: one inbox subscription, replies routed by subject (what the bus does too)
        rawClient.createDispatcher { m -> rawReplies[m.subject]?.invoke(m.data) }.subscribe("$rawInbox.*")
        rawClient.flush(java.time.Duration.ofSeconds(5))
    }

    suspend fun rawInvoke(): JsonObject {
        val replyTo = "$rawInbox.${ids.getAndIncrement()}"
        val bytes = envelope("agent.message.received", "request", "submitted", "bench-client", "bench", REQUEST, mapOf("reply_to" to JsonPrimitive(replyTo)))
        val id = eventId(bytes)
        val done = CompletableDeferred<JsonObject>()
        rawReplies[replyTo] = { data ->
            val env = parse(data)
            if (env["correlation_id"]?.jsonPrimitive?.content == id) done.complete(env)
        }
        try {
            rawClient.publish("raw.invoke.bench", replyTo, bytes)
            return done.await()
        } finally {
            rawReplies.remove(replyTo)
        }
    }

    suspend fun rawStream(): Int {
        val replyTo = "$rawInbox.${ids.getAndIncrement()}"
        val bytes = envelope("agent.message.received", "request", "submitted", "bench-client", "bench", REQUEST, mapOf("reply_to" to JsonPrimitive(replyTo)))
        val id = eventId(bytes)
        val done = CompletableDeferred<Int>()
        var next = 0L
        rawReplies[replyTo] = { data ->
            val env = parse(data)
            if (env["correlation_id"]?.jsonPrimitive?.content == id) {
                val seq = env["seq"]!!.jsonPrimitive.content.toLong()
                if (seq == next) next++ // in order on one connection
                if (env["is_final"] != null) done.complete((next - 1).toInt()) // deltas before the final
            }
        }
        try {
            rawClient.publish("raw.stream.bench", replyTo, bytes)
            return done.await()
        } finally {
            rawReplies.remove(replyTo)
        }
    }

    fun rawPublish() {
        rawClient.publish("raw.events.bench.note", envelope("bench.note", null, "submitted", "bench-client", null, REQUEST))
    }
}

private suspend fun p50(calls: Int, call: suspend () -> Unit): Double {
    val out = DoubleArray(calls)
    for (i in 0 until calls) {
        val t0 = System.nanoTime()
        call()
        out[i] = (System.nanoTime() - t0) / 1000.0
    }
    out.sort()
    return out[calls / 2]
}

private suspend fun throughput(calls: Int, inFlight: Int, call: suspend () -> Unit): Double = coroutineScope {
    val started = AtomicLong()
    val (_, s) = timed {
        (0 until inFlight).map {
            async(Dispatchers.Default) {
                while (started.getAndIncrement() < calls) call()
            }
        }.awaitAll()
    }
    calls / s
}

public fun main(args: Array<String>) {
    try {
        run(args)
    } catch (e: Throwable) {
        e.printStackTrace()
        exitProcess(1)
    }
    exitProcess(0) // jnats' threads are not daemons
}

private fun run(args: Array<String>) {
    val url = args[0]
    val rounds = args[1].toInt()
    val latencyCalls = args[2].toInt()
    val throughputCalls = args[3].toInt()
    val frames = args[4].toInt()
    val publishes = args[5].toInt()
    val sides = Sides(url, frames)
    runBlocking {
        suspend fun measure(which: String, round: Int) {
            val bus = which == "bus"
            val invoke: suspend () -> Unit = if (bus) ({ sides.client.invoke("bench", REQUEST) }) else ({ sides.rawInvoke() })
            val p50 = p50(latencyCalls, invoke)
            val ips = throughput(throughputCalls, 64, invoke)
            val (got, fs) = timed {
                if (bus) sides.client.streamInvoke("bench.stream", REQUEST).let { f -> var n = 0; f.collect { if (it is Frame.Delta) n++ }; n } else sides.rawStream()
            }
            check(got == frames) { "$which stream: $got of $frames frames" }
            val (_, ps) = timed {
                if (bus) {
                    for (i in 0 until publishes) sides.client.publish("bench.note", REQUEST)
                    sides.clientT.flush()
                } else {
                    for (i in 0 until publishes) sides.rawPublish()
                    withContext(Dispatchers.IO) { sides.rawClient.flush(java.time.Duration.ofSeconds(10)) }
                }
            }
            if (round >= 0) {
                println(buildJsonObject {
                    put("round", round); put("which", which); put("p50_us", p50); put("invokes_per_s", ips)
                    put("frames_per_s", frames / fs); put("publishes_per_s", publishes / ps)
                })
                System.out.flush()
            }
        }
        measure("raw", -1) // warm-up (JIT) of both sides
        measure("bus", -1)
        for (r in 0 until rounds) {
            val order = if (r % 2 == 0) listOf("raw", "bus") else listOf("bus", "raw")
            for (w in order) measure(w, r)
        }
        sides.client.shutdown()
        sides.server.shutdown()
        sides.clientT.close()
        sides.serverT.close()
        sides.rawClient.close()
        sides.rawServer.close()
    }
}
