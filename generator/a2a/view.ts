/**
 * The view the a2a templates (templates/*.ts.hbs) are rendered with: the A2A IR as it is, plus
 * the few lists and names the templates print that the IR does not hold as such.
 */
import type { A2aIr, A2aMethodIr } from "../ir/a2a.js";

/** `a2a.task_id` -> `TASK_ID`. */
function keyConst(key: string): string {
  return key.replace(/^a2a\./, "").toUpperCase();
}

/** `TASK_STATE_INPUT_REQUIRED` -> `INPUT_REQUIRED`. */
function stateConst(state: string): string {
  return state.replace(/^TASK_STATE_/, "");
}

/** What the a2a templates read. */
export interface A2aView extends Omit<A2aIr, "metadataKeys"> {
  /** Every TaskState name, TASK_STATE_UNSPECIFIED first. */
  readonly taskStateNames: readonly string[];
  /** Every 0.3 state name, the unknown state first. */
  readonly v03StateNames: readonly string[];
  readonly methodNames: readonly string[];
  readonly streamEventNames: readonly string[];
  /** The members of the `TaskState` object: constant name -> TaskState name. */
  readonly taskStateConsts: readonly { readonly name: string; readonly value: string }[];
  /** The methods that have a 0.3 name. */
  readonly v03Methods: readonly A2aMethodIr[];
  readonly metadataKeys: readonly { readonly key: string; readonly description: string; readonly constName: string }[];
}

/** The view of `a2a`. */
export function a2aView(a2a: A2aIr): A2aView {
  const ts = a2a.taskStates;
  const taskStateNames = [ts.unspecified, ...ts.states.map((s) => s.taskState)];
  return {
    ...a2a,
    taskStateNames,
    v03StateNames: [ts.v03Unknown, ...ts.states.map((s) => s.v03State)],
    methodNames: a2a.methods.map((m) => m.name),
    streamEventNames: a2a.streamEvents.map((e) => e.name),
    taskStateConsts: taskStateNames.map((s) => ({ name: stateConst(s), value: s })),
    v03Methods: a2a.methods.filter((m) => m.v03 !== null),
    metadataKeys: a2a.metadataKeys.map((k) => ({ ...k, constName: keyConst(k.key) })),
  };
}
