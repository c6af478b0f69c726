// The generated Kotlin runtime (generated/kotlin, dev.openagentio.acp.runtime) as a peer of the
// TypeScript bus over a real nats-server (test/kotlin/bus-interop.test.ts).
//
//   BusPeerKt serve  --nats URL   handlers kt.echo, kt.fail, kt.story, kt.endless, kt.tenant (tenant
//                                 acme), events demo.>, queue group "workers" on jobs.run; prints
//                                 {"event":"ready"}, then one JSON line per event; exits when stdin closes
//   BusPeerKt client --nats URL   calls the TypeScript handlers ts.echo, ts.fail, ts.story, ts.broken,
//                                 ts.endless, ts.tenant; prints one JSON line with the results
//   BusPeerKt hammer --nats URL   after a line on stdin, invokes its own handler every 20 ms for
//                                 --seconds while the test restarts nats-server; prints the outcomes
package dev.openagentio.peer

import dev.openagentio.acp.AcpException
import dev.openagentio.acp.runtime.AcpContext
import dev.openagentio.acp.runtime.Bus
import dev.openagentio.acp.runtime.Frame
import dev.openagentio.acp.runtime.HandlerContext
import dev.openagentio.acp.runtime.NatsTransport
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put

private val out = Any()

private fun emit(obj: JsonObject) {
    synchronized(out) {
        println(obj.toString())
        System.out.flush()
    }
}

private fun s(v: String?): JsonElement = if (v == null) JsonNull else JsonPrimitive(v)

private suspend fun seen(ctx: HandlerContext): JsonObject {
    val env = ctx.envelope
    val here = AcpContext.current()
    return buildJsonObject {
        put("from", s(env.from))
        put("session_id", s(env.sessionId))
        put("user_id", s(env.userId))
        put("tenant_id", s(env.tenantId))
        put("traceparent", s(env.traceparent))
        put("context_session", s(here?.sessionId))
        put("context_tenant", s(here?.tenantId))
        put("schema_version", env.schemaVersion)
        put("phase", s(env.phase?.wire))
    }
}

private fun errorOf(e: AcpException): JsonObject = buildJsonObject {
    put("code", e.code)
    put("message", e.message)
    put("retryable", e.retryable)
}

private suspend fun serve(url: String) {
    val bus = Bus(NatsTransport.connect(url), agentId = "kt", ownsTransport = true)
    val acme = Bus(bus.transport, agentId = "kt-acme", tenant = "acme")
    bus.handleInvoke("kt.echo") { payload, ctx -> buildJsonObject { put("payload", payload ?: JsonNull); put("seen", seen(ctx)) } }
    bus.handleInvoke("kt.fail") { payload, _ ->
        val p = payload as? JsonObject ?: throw IllegalStateException("plain failure")
        throw AcpException(p["code"]!!.jsonPrimitive.content, p["message"]!!.jsonPrimitive.content, p["retryable"]!!.jsonPrimitive.content.toBoolean())
    }
    bus.handleStream("kt.story") { payload, w, ctx ->
        w.started(buildJsonObject { put("model", "kt") })
        val words = payload!!.jsonPrimitive.content.split(" ")
        for (word in words) w.delta(word)
        buildJsonObject { put("words", words.size); put("seen", seen(ctx)) }
    }
    bus.handleStream("kt.endless") { _, w, _ ->
        var written = 0
        try {
            while (written < 1_000_000) {
                w.delta(written.toString())
                written++
            }
        } catch (e: CancellationException) {
            emit(buildJsonObject { put("event", "canceled"); put("written", written); put("flag", w.canceled) })
            throw e
        }
        emit(buildJsonObject { put("event", "finished"); put("written", written) })
        null
    }
    bus.subscribe("demo.>") { payload, ctx ->
        emit(buildJsonObject { put("event", "got"); put("payload", payload ?: JsonNull); put("seen", seen(ctx)); put("subject", ctx.subject) })
    }
    for (name in listOf("kt-1", "kt-2")) {
        bus.subscribe("jobs.run", queue = "workers") { payload, _ -> emit(buildJsonObject { put("event", "work"); put("worker", name); put("payload", payload ?: JsonNull) }) }
    }
    acme.handleInvoke("kt.tenant") { _, ctx -> buildJsonObject { put("tenant", s(ctx.envelope.tenantId)); put("context_tenant", s(AcpContext.current()?.tenantId)) } }
    bus.transport.flush()
    delay(50) // nats-server may answer "no responders" just after a SUB
    emit(buildJsonObject { put("event", "ready") })
    withContext(Dispatchers.IO) { System.`in`.readBytes() }
    acme.shutdown()
    bus.shutdown()
}

private suspend fun client(url: String) {
    val bus = Bus(NatsTransport.connect(url), agentId = "ktc", ownsTransport = true)
    val result = LinkedHashMap<String, JsonElement>()
    val trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    withContext(AcpContext(sessionId = "s-kt", userId = "u-kt", traceparent = "00-$trace-00f067aa0ba902b7-01")) {
        result["echo"] = bus.invoke("ts.echo", buildJsonObject { put("n", 1); put("list", JsonArray(listOf(JsonPrimitive(1), JsonPrimitive("two")))) }) ?: JsonNull
    }
    result["errors"] = JsonArray(
        listOf("denied", "custom", "plain").map { p ->
            try {
                bus.invoke("ts.fail", JsonPrimitive(p))
                JsonNull
            } catch (e: AcpException) {
                errorOf(e)
            }
        },
    )
    try {
        bus.invoke("ts.nobody", null)
    } catch (e: AcpException) {
        result["nobody"] = errorOf(e)
    }
    val frames = ArrayList<JsonElement>()
    bus.streamInvoke("ts.story", JsonPrimitive("red green blue")).collect { f ->
        val seq = f.envelope.seq ?: 0L
        frames.add(
            when (f) {
                is Frame.Started -> buildJsonObject { put("type", "started"); put("meta", f.meta ?: JsonNull); put("seq", seq) }
                is Frame.Delta -> buildJsonObject { put("type", "delta"); put("delta", s(f.delta)); put("seq", seq) }
                is Frame.Final -> buildJsonObject { put("type", "final"); put("result", f.result ?: JsonNull); put("seq", seq) }
                is Frame.Event -> buildJsonObject { put("type", "event"); put("seq", seq) }
            },
        )
    }
    result["story"] = JsonArray(frames)
    try {
        bus.streamInvoke("ts.broken", null).collect()
    } catch (e: AcpException) {
        result["broken"] = errorOf(e)
    }
    bus.streamInvoke("ts.endless", null).first()
    result["left_endless"] = JsonPrimitive(true)
    result["tenant"] = bus.invoke("ts.tenant", null, tenant = "acme") ?: JsonNull
    try {
        bus.invoke("ts.tenant", null)
    } catch (e: AcpException) {
        result["tenant_untenanted"] = errorOf(e)
    }
    result["published"] = JsonPrimitive(bus.publish("demo.from_kt", buildJsonObject { put("hello", "ts") }, metadata = mapOf("m" to JsonPrimitive("1"))))
    bus.transport.flush()
    bus.shutdown()
    emit(JsonObject(result))
}

private suspend fun hammer(url: String, seconds: Double) = kotlinx.coroutines.coroutineScope {
    val server = Bus(NatsTransport.connect(url, reconnectWait = 1.seconds), agentId = "hs", ownsTransport = true)
    val client = Bus(NatsTransport.connect(url, reconnectWait = 50.milliseconds), agentId = "hc", ownsTransport = true)
    server.handleInvoke("kt.h") { payload, _ -> payload }
    server.transport.flush()
    delay(50)
    emit(buildJsonObject { put("event", "ready") })
    withContext(Dispatchers.IO) { readlnOrNull() }
    val counts = ConcurrentHashMap<String, AtomicInteger>()
    val start = TimeSource.Monotonic.markNow()
    var i = 0
    val jobs = ArrayList<kotlinx.coroutines.Job>()
    while (start.elapsedNow() < seconds.seconds) {
        val n = i++
        jobs.add(
            launch {
                val key = try {
                    client.invoke("kt.h", JsonPrimitive(n), timeout = 8.seconds)
                    "ok"
                } catch (e: AcpException) {
                    e.code
                }
                counts.computeIfAbsent(key) { AtomicInteger() }.incrementAndGet()
            },
        )
        delay(20)
    }
    jobs.joinAll()
    emit(buildJsonObject { put("event", "done"); put("counts", JsonObject(counts.mapValues { JsonPrimitive(it.value.get()) })); put("sent", i) })
    client.shutdown()
    server.shutdown()
}

public fun main(args: Array<String>) {
    val mode = args.firstOrNull() ?: error("usage: serve|client|hammer --nats URL [--seconds N]")
    val url = args[args.indexOf("--nats") + 1]
    val seconds = args.indexOf("--seconds").takeIf { it >= 0 }?.let { args[it + 1].toDouble() } ?: 4.0
    runBlocking {
        when (mode) {
            "serve" -> serve(url)
            "client" -> client(url)
            "hammer" -> hammer(url, seconds)
            else -> error("unknown mode $mode")
        }
    }
    System.exit(0)
}
