// The generated Kotlin runtime (generated/kotlin, dev.openagentio.acp.runtime) as a matrix peer.
//
//   java -cp … dev.openagentio.matrix.MatrixPeerKt --nats nats://127.0.0.1:PORT --name kt [--schema-version 1]
//
// Speaks the line protocol of test/matrix/README.md on stdin/stdout through the Bus's public API
// only: commands run concurrently; the first line is {"event": "ready", …}; EOF on stdin or
// {"op": "close"} shuts the bus down and exits 0. Compiled with -Werror against the generated
// sources by test/matrix/kotlin-peer.ts.
package dev.openagentio.matrix

import dev.openagentio.acp.AcpException
import dev.openagentio.acp.TransportFailureException
import dev.openagentio.acp.runtime.AcpContext
import dev.openagentio.acp.runtime.Bus
import dev.openagentio.acp.runtime.Frame
import dev.openagentio.acp.runtime.HandlerContext
import dev.openagentio.acp.runtime.NatsTransport
import dev.openagentio.acp.runtime.StreamWriter
import kotlin.time.Duration.Companion.milliseconds
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.transformWhile
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.longOrNull

/** Longest an `endless` stream handler writes when nobody cancels it. */
private const val ENDLESS_MAX = 600
private const val ENDLESS_PAUSE_MS = 5L

/** Connect attempts before the peer gives up (each bounded by jnats' 2 s connectionTimeout). */
private const val CONNECT_ATTEMPTS = 5

/** Longest a `silent` stream handler waits for a cancel. */
private const val SILENT_MAX_MS = 4000L

private val stdoutLock = Any()

private fun emit(obj: JsonObject) {
    val line = obj.toString()
    synchronized(stdoutLock) {
        System.out.print(line)
        System.out.print('\n')
        System.out.flush()
    }
}

private fun obj(vararg pairs: Pair<String, JsonElement?>): JsonObject = JsonObject(pairs.associate { (k, v) -> k to (v ?: JsonNull) })

private fun str(v: String?): JsonElement = if (v.isNullOrEmpty()) JsonNull else JsonPrimitive(v)

private fun JsonObject.string(key: String): String? = (this[key] as? JsonPrimitive)?.takeIf { it.isString }?.content

private fun JsonObject.text(key: String): String = (this[key] as? JsonPrimitive)?.content ?: error("missing \"$key\"")

/** What a handler saw of the envelope it handled (absent fields null; metadata without `acp.*`). */
private fun seenOf(ctx: HandlerContext): JsonObject {
    val e = ctx.envelope
    val meta = e.metadata?.filterKeys { !it.startsWith("acp.") }?.takeIf { it.isNotEmpty() }
    return obj(
        "from" to str(e.from),
        "session_id" to str(e.sessionId),
        "conversation_id" to str(e.conversationId),
        "channel" to str(e.channel),
        "tenant_id" to str(e.tenantId),
        "user_id" to str(e.userId),
        "traceparent" to str(e.traceparent),
        "schema_version" to JsonPrimitive(e.schemaVersion),
        "phase" to str(e.phase?.wire),
        "metadata" to meta?.let { JsonObject(it) },
    )
}

private fun wireError(e: AcpException): JsonObject = obj("code" to JsonPrimitive(e.code), "message" to JsonPrimitive(e.message ?: ""), "retryable" to JsonPrimitive(e.retryable))

/** An exception the SDK raised that is not an ACP error: `EXCEPTION:<class name>`. */
private fun otherError(e: Exception): JsonObject =
    obj("code" to JsonPrimitive("EXCEPTION:${e.javaClass.simpleName}"), "message" to JsonPrimitive(e.message ?: ""), "retryable" to JsonPrimitive(false))

/** The explicit context of a command (`context` fields, `tenant` as tenant_id); null when none. */
private fun contextOf(cmd: JsonObject): AcpContext? {
    val c = cmd["context"] as? JsonObject ?: JsonObject(emptyMap())
    val tenant = cmd.string("tenant")
    if (c.isEmpty() && tenant == null) return null
    return AcpContext(
        sessionId = c.string("session_id"),
        conversationId = c.string("conversation_id"),
        channel = c.string("channel"),
        tenantId = tenant,
        userId = c.string("user_id"),
        traceparent = c.string("traceparent"),
    )
}

private fun timeoutOf(cmd: JsonObject) = ((cmd["timeout_ms"] as? JsonPrimitive)?.longOrNull ?: 8000L).milliseconds

private class Peer(val bus: Bus, val name: String) {
    val done = CompletableDeferred<Unit>()

    /** Waits until the server has what this peer sent (serve, subscribe and publish answer after it). */
    suspend fun atServer() = bus.transport.flush()

    suspend fun invokeAnswer(target: String, payload: JsonElement?, cmd: JsonObject): JsonObject = try {
        obj("result" to bus.invoke(target, payload, timeout = timeoutOf(cmd), metadata = cmd["metadata"] as? JsonObject, context = contextOf(cmd)))
    } catch (e: AcpException) {
        obj("error" to wireError(e))
    } catch (e: CancellationException) {
        throw e
    } catch (e: Exception) {
        obj("error" to otherError(e))
    }

    suspend fun streamAnswer(target: String, payload: JsonElement?, cmd: JsonObject): JsonObject {
        val frames = ArrayList<JsonElement>()
        val cancelAfter = (cmd["cancel_after"] as? JsonPrimitive)?.intOrNull
        var deltas = 0
        return try {
            // transformWhile stops the collection after the delta that reaches cancel_after: the
            // flow's finally sends agent.stream.cancel.
            bus.streamInvoke(target, payload, timeout = timeoutOf(cmd), context = contextOf(cmd))
                .transformWhile { f ->
                    emit(f)
                    !(f is Frame.Delta && cancelAfter != null && ++deltas >= cancelAfter)
                }
                .collect { f ->
                    val seq = JsonPrimitive(f.envelope.seq ?: 0L)
                    when (f) {
                        is Frame.Started -> frames.add(obj("type" to JsonPrimitive("started"), "seq" to seq, "meta" to f.meta))
                        is Frame.Delta -> frames.add(obj("type" to JsonPrimitive("delta"), "seq" to seq, "delta" to (f.delta?.let { JsonPrimitive(it) } ?: f.data)))
                        is Frame.Final -> frames.add(obj("type" to JsonPrimitive("final"), "seq" to seq, "result" to f.result))
                        is Frame.Event -> Unit
                    }
                }
            obj("frames" to JsonArray(frames))
        } catch (e: AcpException) {
            obj("frames" to JsonArray(frames), "error" to wireError(e))
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            obj("frames" to JsonArray(frames), "error" to otherError(e))
        }
    }

    suspend fun runInvoke(payload: JsonElement?, ctx: HandlerContext, marker: String?): JsonElement? {
        val p = payload as? JsonObject ?: JsonObject(emptyMap())
        return when (val what = p.string("do")) {
            "echo" -> obj("value" to p["value"], "seen" to seenOf(ctx), "by" to JsonPrimitive(name), "marker" to str(marker))
            "return" -> p["value"]?.takeIf { it != JsonNull }
            "raise" -> throw AcpException(p.text("code"), p.text("message"), (p["retryable"] as? JsonPrimitive)?.booleanOrNull ?: false)
            "raise_plain" -> throw IllegalStateException(p.text("message"))
            "call" -> {
                // No explicit context or tenant: what the nested call carries is what the bus propagates.
                val empty = JsonObject(emptyMap())
                val inner = if (p.string("kind") == "stream") streamAnswer(p.text("target"), p["payload"], empty) else invokeAnswer(p.text("target"), p["payload"], empty)
                obj("by" to JsonPrimitive(name), "seen" to seenOf(ctx), "inner" to inner)
            }
            else -> throw IllegalStateException("kt peer: unknown invoke instruction $what")
        }
    }

    suspend fun runStream(payload: JsonElement?, w: StreamWriter, ctx: HandlerContext): JsonElement? {
        val p = payload as? JsonObject ?: JsonObject(emptyMap())
        when (val what = p.string("do")) {
            "story" -> {
                val words = (p["words"] as JsonArray).map { (it as JsonPrimitive).content }
                w.started(obj("by" to JsonPrimitive(name)))
                for (word in words) w.delta(word)
                return obj("count" to JsonPrimitive(words.size), "seen" to seenOf(ctx))
            }
            "fail" -> {
                w.started(obj("by" to JsonPrimitive(name)))
                w.delta("partial")
                throw AcpException(p.text("code"), p.text("message"), (p["retryable"] as? JsonPrimitive)?.booleanOrNull ?: false)
            }
            "endless" -> {
                var written = 0
                try {
                    while (written < ENDLESS_MAX && !w.canceled) {
                        w.delta(written.toString())
                        written++
                        delay(ENDLESS_PAUSE_MS)
                    }
                } catch (e: CancellationException) {
                    streamEnd(p, "canceled", written)
                    throw e
                }
                streamEnd(p, if (w.canceled) "canceled" else "finished", written)
                return null
            }
            "silent" -> {
                // Writes nothing: only an early cancel (the client gave up before any frame) stops it.
                try {
                    delay(SILENT_MAX_MS)
                } catch (e: CancellationException) {
                    streamEnd(p, "canceled", 0)
                    throw e
                }
                streamEnd(p, if (w.canceled) "canceled" else "finished", 0)
                return null
            }
            else -> throw IllegalStateException("kt peer: unknown stream instruction $what")
        }
    }

    private fun streamEnd(p: JsonObject, how: String, written: Int) =
        emit(obj("event" to JsonPrimitive("stream_end"), "tag" to p["tag"], "how" to JsonPrimitive(how), "written" to JsonPrimitive(written)))

    suspend fun run(cmd: JsonObject): JsonObject = when (val op = cmd.text("op")) {
        "serve" -> {
            val tenant = cmd.string("tenant")
            val marker = cmd.string("marker")
            if (cmd.string("kind") == "stream") {
                bus.handleStream(cmd.text("target"), tenant = tenant) { payload, w, ctx -> runStream(payload, w, ctx) }
            } else {
                bus.handleInvoke(cmd.text("target"), tenant = tenant) { payload, ctx -> runInvoke(payload, ctx, marker) }
            }
            atServer()
            JsonObject(emptyMap())
        }
        "subscribe" -> {
            val sub = cmd.text("name")
            bus.subscribe(cmd.text("event_type"), queue = cmd.string("queue"), tenant = cmd.string("tenant")) { payload, ctx ->
                emit(obj("event" to JsonPrimitive("received"), "sub" to JsonPrimitive(sub), "payload" to payload, "seen" to seenOf(ctx)))
            }
            atServer()
            JsonObject(emptyMap())
        }
        "invoke" -> invokeAnswer(cmd.text("target"), cmd["payload"].orAbsent(), cmd)
        "stream" -> streamAnswer(cmd.text("target"), cmd["payload"].orAbsent(), cmd)
        "publish" -> {
            bus.publish(cmd.text("event_type"), cmd["payload"].orAbsent(), metadata = cmd["metadata"] as? JsonObject, context = contextOf(cmd))
            atServer()
            JsonObject(emptyMap())
        }
        "flush" -> {
            bus.transport.flush()
            JsonObject(emptyMap())
        }
        "close" -> {
            done.complete(Unit)
            JsonObject(emptyMap())
        }
        else -> throw IllegalArgumentException("unknown op $op")
    }
}

/** A command's JSON null payload is "no payload", as the other peers send it. */
private fun JsonElement?.orAbsent(): JsonElement? = this?.takeIf { it != JsonNull }

/**
 * NatsTransport.connect, tried up to [CONNECT_ATTEMPTS] times: jnats gives the first connect 2 s
 * (its default connectionTimeout, which connect() does not expose), and with several JVMs and
 * Python peers starting at once on 2 loaded cores the CONNECT/PONG exchange took longer once.
 */
private suspend fun connect(url: String): NatsTransport {
    var attempt = 1
    while (true) {
        try {
            return NatsTransport.connect(url)
        } catch (e: TransportFailureException) {
            if (attempt >= CONNECT_ATTEMPTS) throw e
            System.err.println("kt peer: connect attempt $attempt failed (${e.message}); trying again")
            attempt++
        }
    }
}

public fun main(args: Array<String>) {
    fun arg(flag: String): String? = args.indexOf(flag).takeIf { it >= 0 }?.let { args.getOrNull(it + 1) }
    val url = arg("--nats") ?: error("usage: --nats URL --name NAME [--schema-version 1|2]")
    val name = arg("--name") ?: error("--name NAME is required")
    val schemaVersion = arg("--schema-version")?.toInt() ?: 2
    runBlocking {
        val bus = Bus(connect(url), agentId = name, schemaVersion = schemaVersion, ownsTransport = true)
        val peer = Peer(bus, name)
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        emit(obj("event" to JsonPrimitive("ready"), "peer" to JsonPrimitive(name), "sdk" to JsonPrimitive("dev.openagentio.acp.runtime (generated/kotlin), schemaVersion $schemaVersion")))
        // stdin on its own thread: each line becomes a coroutine; EOF ends the peer.
        val reader = Thread {
            val input = System.`in`.bufferedReader(Charsets.UTF_8)
            while (true) {
                val line = input.readLine() ?: break
                if (line.isBlank()) continue
                val cmd = Json.parseToJsonElement(line) as JsonObject
                val id = cmd["id"] ?: JsonNull
                scope.launch {
                    val answer = try {
                        JsonObject(mapOf("id" to id, "ok" to JsonPrimitive(true)) + peer.run(cmd))
                    } catch (e: CancellationException) {
                        throw e
                    } catch (e: Exception) {
                        obj("id" to id, "ok" to JsonPrimitive(false), "error" to JsonPrimitive("${e.javaClass.simpleName}: ${e.message}"))
                    }
                    emit(answer)
                }
            }
            peer.done.complete(Unit)
        }
        reader.isDaemon = true
        reader.start()
        peer.done.await()
        bus.drainTimeout = 2000.milliseconds
        withTimeoutOrNull(8000.milliseconds) { bus.shutdown() }
        scope.cancel()
    }
    System.out.flush()
    System.exit(0)
}
