/**
 * How `oaio a2a send` and `oaio a2a stream` print what an A2A agent answers: the answer (text
 * parts as text, data parts as JSON, files as a one-line note) on stdout, the task's id, context
 * and state on stderr, so `oaio a2a send URL "hi" > answer.txt` keeps only the answer.
 */
import { isInterruptedTaskState, isTerminalTaskState, type Message, type Part, type StreamResponse, type Task } from "../../generated/a2a/index.js";

/** Where the printer writes (stdout, stderr). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The process' stdout and stderr. */
export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** `TASK_STATE_INPUT_REQUIRED` → `input-required`. */
export function stateName(state: string): string {
  return state
    .replace(/^TASK_STATE_/, "")
    .toLowerCase()
    .replace(/_/g, "-");
}

/** One part as a line (without its newline): text as is, data as JSON, a file as a note. */
export function partLine(p: Part): string {
  if (typeof p.text === "string") return p.text;
  if (p.data !== undefined) return JSON.stringify(p.data);
  const name = p.filename ?? "file";
  const type = p.mediaType === undefined ? "" : ` (${p.mediaType})`;
  if (typeof p.url === "string") return `[${name}${type}: ${p.url}]`;
  if (typeof p.raw === "string") return `[${name}${type}, ${Buffer.from(p.raw, "base64").length} bytes inline]`;
  return JSON.stringify(p);
}

/** Parts as lines: consecutive text parts join into one line (they are chunks of one text), others get a line each. */
export function partsText(parts: readonly Part[]): string {
  let text = "";
  let inText = false;
  for (const p of parts) {
    if (typeof p.text === "string") {
      text += p.text;
      inText = true;
    } else {
      text += `${inText ? "\n" : ""}${partLine(p)}\n`;
      inText = false;
    }
  }
  return inText ? `${text}\n` : text;
}

/** The exit code a final state stands for: 0 completed or waiting for the caller (input/auth required), 1 failed, rejected or canceled. */
export function stateExitCode(state: string): number {
  return isTerminalTaskState(state) && state !== "TASK_STATE_COMPLETED" ? 1 : 0;
}

/** The stderr note of an interrupted task: how to continue it. */
function continueHint(task: { id: string; contextId: string }, state: string, cli: ContinueHint): string {
  return `[${stateName(state)}: answer with ${cli.command} a2a send ${cli.url} "<answer>" --task-id ${task.id} --context-id ${task.contextId}]\n`;
}

/** What the continue hint names. */
export interface ContinueHint {
  /** The command that runs this CLI (`oaio`, `npx tsx bin/oaio.ts`). */
  readonly command: string;
  /** The agent URL as given. */
  readonly url: string;
}

/** Prints a SendMessage answer (a Task or a Message); returns the exit code it stands for. */
export function printSendResult(r: { task: Task } | { message: Message }, o: Output, hint: ContinueHint): number {
  if ("message" in r) {
    o.err(`[message ${r.message.messageId}${r.message.contextId ? `, context ${r.message.contextId}` : ""}]\n`);
    o.out(partsText(r.message.parts));
    return 0;
  }
  const t = r.task;
  const state = t.status.state;
  o.err(`[task ${t.id}, context ${t.contextId}: ${stateName(state)}]\n`);
  for (const a of t.artifacts ?? []) o.out(partsText(a.parts));
  const said = t.status.message?.parts ?? [];
  if (said.length > 0 && (state !== "TASK_STATE_COMPLETED" || (t.artifacts ?? []).length === 0)) o.out(partsText(said));
  if (isInterruptedTaskState(state)) o.err(continueHint(t, state, hint));
  return stateExitCode(state);
}

/** Prints stream frames as they arrive; `frame` returns the exit code once the stream is final, else undefined. */
export class StreamPrinter {
  /** Text written without its newline yet (artifact chunks). */
  private midLine = false;

  constructor(
    private readonly o: Output,
    private readonly hint: ContinueHint,
  ) {}

  /** Prints one frame; the exit code when it ends the stream (a final state or a Message), else undefined. */
  frame(ev: StreamResponse): number | undefined {
    if ("message" in ev) {
      this.endLine();
      this.o.err(`[message ${ev.message.messageId}]\n`);
      this.o.out(partsText(ev.message.parts));
      return 0;
    }
    if ("task" in ev) {
      const t = ev.task;
      this.note(`[task ${t.id}, context ${t.contextId}: ${stateName(t.status.state)}]`);
      if (isTerminalTaskState(t.status.state) || isInterruptedTaskState(t.status.state)) return this.settle(t, t.status.state, t.status.message?.parts);
      return undefined;
    }
    if ("artifactUpdate" in ev) {
      for (const p of ev.artifactUpdate.artifact.parts) {
        if (typeof p.text === "string") {
          if (p.text === "") continue; // an empty chunk (e.g. an empty last chunk) leaves the line as it is
          this.o.out(p.text);
          this.midLine = !p.text.endsWith("\n");
        } else {
          this.endLine();
          this.o.out(`${partLine(p)}\n`);
        }
      }
      return undefined;
    }
    const u = ev.statusUpdate;
    const state = u.status.state;
    this.note(`[${stateName(state)}]`);
    if (isTerminalTaskState(state) || isInterruptedTaskState(state))
      return this.settle({ id: u.taskId, contextId: u.contextId }, state, u.status.message?.parts);
    if (u.status.message !== undefined) this.o.out(partsText(u.status.message.parts));
    return undefined;
  }

  /** Ends a line left open by text chunks. */
  endLine(): void {
    if (this.midLine) this.o.out("\n");
    this.midLine = false;
  }

  private note(text: string): void {
    this.endLine();
    this.o.err(`${text}\n`);
  }

  private settle(task: { id: string; contextId: string }, state: string, said: readonly Part[] | undefined): number {
    if (said !== undefined && said.length > 0) this.o.out(partsText(said));
    if (isInterruptedTaskState(state)) this.o.err(continueHint(task, state, this.hint));
    return stateExitCode(state);
  }
}
