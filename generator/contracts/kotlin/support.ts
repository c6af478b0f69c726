/**
 * `kotlin/src/main/kotlin/dev/openagentio/contracts/ContractSupport.kt`: what the generated
 * contract files share — JSON readers that name the JSON pointer of a defect, envelopes for
 * published events, reply results, typed stream frames and delta writers over the
 * `dev.openagentio.acp.Bus` interface.
 */

/** Kotlin package of the support code; each contract gets `<this>.<agent>`. */
export const KOTLIN_CONTRACTS_PACKAGE = "dev.openagentio.contracts";

/** Source of ContractSupport.kt. */
export function kotlinSupportSource(header: string): string {
  return `${header}
package ${KOTLIN_CONTRACTS_PACKAGE}

import dev.openagentio.acp.AcpException
import dev.openagentio.acp.Envelope
import dev.openagentio.acp.InvalidRequestException
import dev.openagentio.acp.Subscription
import dev.openagentio.acp.acpException
import java.time.Instant
import java.util.UUID
import java.util.concurrent.CompletableFuture
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive

/** How a skill is called: request-reply, or a stream of deltas ending in the output. */
public enum class SkillMode { INVOKE, STREAM }

/** How stream deltas travel: text in payload.delta, or an object in payload.data. */
public enum class DeltaEncoding { TEXT, DATA }

/** A skill of a contract: its id, the invoke target that serves it and its mode. */
public data class SkillInfo(public val id: String, public val target: String, public val mode: SkillMode)

/** One frame of a typed skill stream, in seq order. */
public sealed interface SkillFrame<out D, out O> {
    /** The envelope the frame came in. */
    public val envelope: Envelope

    /** agent.response.started. */
    public data class Started(public val meta: JsonObject?, override val envelope: Envelope) : SkillFrame<Nothing, Nothing>

    /** One typed delta. */
    public data class Delta<out D>(public val delta: D, override val envelope: Envelope) : SkillFrame<D, Nothing>

    /** The typed output (terminal). */
    public data class Final<out O>(public val output: O, override val envelope: Envelope) : SkillFrame<Nothing, O>

    /** agent.response.error (terminal). */
    public data class Failed(public val error: AcpException, override val envelope: Envelope) : SkillFrame<Nothing, Nothing>

    /** Any other event sent on the stream (e.g. agent.tool.call). */
    public data class Other(override val envelope: Envelope) : SkillFrame<Nothing, Nothing>
}

/** What a stream skill handler writes deltas with (its return value is the output). */
public fun interface DeltaWriter<in D> {
    /** Sends one delta. */
    public fun delta(delta: D)
}

/**
 * JSON readers of the generated models: they check JSON types (not every schema constraint)
 * and throw [InvalidRequestException] naming the JSON pointer of the defect.
 */
public object ContractJson {
    /** The JSON pointer of [key] under [at] (RFC 6901 escaping). */
    public fun child(at: String, key: Any): String = at + "/" + key.toString().replace("~", "~0").replace("/", "~1")

    private fun kind(e: JsonElement): String = when {
        e is JsonNull -> "null"
        e is JsonObject -> "an object"
        e is JsonArray -> "an array"
        e is JsonPrimitive && e.isString -> "a string"
        e is JsonPrimitive && (e.content == "true" || e.content == "false") -> "a boolean"
        else -> "a number"
    }

    private fun bad(expected: String, e: JsonElement, at: String): InvalidRequestException =
        InvalidRequestException("\${at.ifEmpty { "(root)" }}: expected \$expected, got \${kind(e)}", details = mapOf("pointer" to at))

    /** [o]'s [key], or an error naming the missing property. */
    public fun required(o: JsonObject, key: String, at: String): JsonElement =
        o[key] ?: throw InvalidRequestException("\${child(at, key)}: missing", details = mapOf("pointer" to child(at, key)))

    /** [o]'s [key] unless it is absent or null. */
    public fun optional(o: JsonObject, key: String): JsonElement? = o[key]?.takeUnless { it is JsonNull }

    /** A JSON string. */
    public fun str(e: JsonElement, at: String): String =
        if (e is JsonPrimitive && e.isString) e.content else throw bad("a string", e, at)

    /** true or false. */
    public fun bool(e: JsonElement, at: String): Boolean =
        if (e is JsonPrimitive && !e.isString && e !is JsonNull && (e.content == "true" || e.content == "false")) e.content == "true"
        else throw bad("a boolean", e, at)

    /** A finite JSON number. */
    public fun double(e: JsonElement, at: String): Double {
        val v = if (e is JsonPrimitive && !e.isString && e !is JsonNull) e.content.toDoubleOrNull() else null
        return if (v != null && v.isFinite()) v else throw bad("a number", e, at)
    }

    /** A JSON number without fraction that fits a Long (2.0 counts, as in JavaScript). */
    public fun long(e: JsonElement, at: String): Long {
        val d = double(e, at)
        if (d % 1.0 != 0.0 || d < -9.223372036854776E18 || d >= 9.223372036854776E18) throw bad("an integer", e, at)
        return (e as JsonPrimitive).content.toLongOrNull() ?: d.toLong()
    }

    /** A JSON object. */
    public fun obj(e: JsonElement, at: String): JsonObject = e as? JsonObject ?: throw bad("an object", e, at)

    /** A JSON array. */
    public fun arr(e: JsonElement, at: String): JsonArray = e as? JsonArray ?: throw bad("an array", e, at)

    /** The properties of [o] whose names are not in [known]. */
    public fun unknown(o: JsonObject, known: Set<String>): JsonObject = JsonObject(o.filterKeys { it !in known })

    /** Starts an output object with the unknown properties kept. */
    public fun start(unknownFields: JsonObject, known: Set<String>): LinkedHashMap<String, JsonElement> =
        LinkedHashMap(unknownFields.filterKeys { it !in known })
}

/** Envelopes, replies and streams of the generated clients and handlers. */
public object ContractSupport {
    /** A new schema_version 1 envelope of [eventType] (UUID v4 event_id, occurred_at now); a bus may dual-write phase. */
    public fun newEvent(eventType: String, payload: JsonElement): Envelope =
        Envelope(schemaVersion = 1L, eventId = UUID.randomUUID().toString(), eventType = eventType, occurredAt = Instant.now().toString(), payload = payload)

    /** The envelope's payload (JsonNull when absent). */
    public fun payload(envelope: Envelope): JsonElement = envelope.payload ?: JsonNull

    private fun isFrame(envelope: Envelope, eventType: String, frameType: String): Boolean =
        envelope.eventType == eventType || envelope.frameType == frameType

    /** The exception an agent.response.error envelope carries. */
    public fun errorOf(envelope: Envelope): AcpException {
        val p = envelope.payload as? JsonObject
        val code = (p?.get("code") as? JsonPrimitive)?.takeIf { it.isString }?.content ?: "AGENT_UNAVAILABLE"
        val message = (p?.get("message") as? JsonPrimitive)?.takeIf { it.isString }?.content ?: "the agent answered with an error"
        val retryable = (p?.get("retryable") as? JsonPrimitive)?.takeIf { !it.isString }?.content?.toBooleanStrictOrNull()
        return acpException(code, message, retryable)
    }

    /** The result of a final reply (payload.result when the payload is exactly {"result": v}, else the payload); throws for an error reply. */
    public fun result(reply: Envelope): JsonElement {
        if (isFrame(reply, "agent.response.error", "response.error")) throw errorOf(reply)
        val p = reply.payload ?: return JsonNull
        return if (p is JsonObject && p.size == 1 && p.containsKey("result")) p.getValue("result") else p
    }

    /** Reads one stream frame as a typed frame. */
    public fun <D, O> frame(
        envelope: Envelope,
        encoding: DeltaEncoding,
        readDelta: (JsonElement, String) -> D,
        readOutput: (JsonElement, String) -> O,
    ): SkillFrame<D, O> {
        val p = envelope.payload as? JsonObject
        return when {
            isFrame(envelope, "agent.response.error", "response.error") -> SkillFrame.Failed(errorOf(envelope), envelope)
            isFrame(envelope, "agent.response.delta", "response.delta") -> {
                val key = if (encoding == DeltaEncoding.TEXT) "delta" else "data"
                val fallback: JsonElement = if (encoding == DeltaEncoding.TEXT) JsonPrimitive("") else JsonObject(emptyMap())
                SkillFrame.Delta(readDelta(p?.get(key) ?: fallback, "/payload/\$key"), envelope)
            }
            isFrame(envelope, "agent.response.final", "response.final") -> SkillFrame.Final(readOutput(result(envelope), "/payload/result"), envelope)
            isFrame(envelope, "agent.response.started", "response.started") -> SkillFrame.Started(p?.get("meta") as? JsonObject, envelope)
            else -> SkillFrame.Other(envelope)
        }
    }

    /**
     * Runs a stream to its output: [start] subscribes with a frame callback; the future
     * completes with the Final frame's output, or exceptionally with the Failed frame's error.
     */
    public fun <D, O> output(start: ((SkillFrame<D, O>) -> Unit) -> Subscription): CompletableFuture<O> {
        val out = CompletableFuture<O>()
        val subscription = start { frame ->
            when (frame) {
                is SkillFrame.Final -> out.complete(frame.output)
                is SkillFrame.Failed -> out.completeExceptionally(frame.error)
                else -> Unit
            }
        }
        return out.whenComplete { _, _ -> subscription.close() }
    }

    /** A writer of text deltas (payload.delta) over the bus's emit function. */
    public fun textWriter(emit: (JsonElement) -> Unit): DeltaWriter<String> =
        DeltaWriter { delta -> emit(JsonObject(mapOf("delta" to JsonPrimitive(delta)))) }

    /** A writer of object deltas (payload.data) encoded by [encode]. */
    public fun <D> dataWriter(emit: (JsonElement) -> Unit, encode: (D) -> JsonObject): DeltaWriter<D> =
        DeltaWriter { delta -> emit(JsonObject(mapOf("data" to encode(delta)))) }
}
`;
}
