/**
 * Which bus target runs a message (spec/a2a.md "Skills: one server, many targets"): the skill a
 * message names in Message.metadata `skillId` (PARTS.skillMetadataKey), else the task's recorded
 * skill, else the first skill; an unknown skill is INVALID_PARAMS naming it and the known ones.
 */
import { PARTS, type Message, type Task } from "../../generated/a2a/index.js";
import { a2aErrors } from "./errors.js";

/** A card skill and the bus target that serves it. */
export interface SkillRoute {
  readonly id: string;
  readonly target: string;
}

/** Where one message runs. */
export interface Routed {
  /** The skill (undefined on a server whose card lists none). */
  readonly skill: string | undefined;
  readonly target: string;
}

/** Task.metadata key recording the skill a task runs (servers whose skills name several targets). */
const SKILL_KEY = PARTS.skillMetadataKey;

/** The skill a task records, if any. */
export function taskSkill(t: Task): string | undefined {
  const s = t.metadata?.[SKILL_KEY];
  return typeof s === "string" ? s : undefined;
}

/** The skills of one server and the target of each. */
export class SkillRoutes {
  /** Skill id -> target, in card order (the first is the default). */
  private readonly skills: ReadonlyMap<string, string>;
  /** The skills name more than one target: tasks record their skill. */
  readonly recorded: boolean;

  /** `fallback`: the target when no skill is listed. */
  constructor(
    routes: readonly SkillRoute[],
    private readonly fallback: string,
  ) {
    this.skills = new Map(routes.map((s) => [s.id, s.target]));
    this.recorded = new Set(this.skills.values()).size > 1;
  }

  /** The skill a message names, checked against the card's skills. @throws INVALID_PARAMS for an unknown skill. */
  named(msg: Message): string | undefined {
    const named = msg.metadata?.[SKILL_KEY];
    if (named === undefined) return undefined;
    if (typeof named !== "string" || !this.skills.has(named)) {
      const known = [...this.skills.keys()];
      const shown = typeof named === "string" ? `"${named}"` : JSON.stringify(named);
      throw a2aErrors.invalidParams(
        `message.metadata.${SKILL_KEY} ${shown} is not a skill of this agent; known skills: ${known.length > 0 ? known.join(", ") : "none (leave the key out)"}`,
      );
    }
    return named;
  }

  /** @throws INVALID_PARAMS when a message continuing `task` names another skill than the task runs. */
  checkContinues(task: Task, named: string | undefined): void {
    const runs = taskSkill(task);
    if (named !== undefined && runs !== undefined && named !== runs) {
      throw a2aErrors.invalidParams(`message.metadata.${SKILL_KEY} "${named}" does not match task ${task.id}, which runs skill "${runs}"`);
    }
  }

  /** Where a message runs: the continued task's skill, else the named one, else the first. */
  route(task: Task | undefined, named: string | undefined): Routed {
    const skill = (task === undefined ? undefined : taskSkill(task)) ?? named ?? this.skills.keys().next().value;
    return { skill, target: (skill === undefined ? undefined : this.skills.get(skill)) ?? this.fallback };
  }

  /** Task.metadata recording `skill` (only when skills run on several targets). */
  taskMetadata(skill: string | undefined): { metadata: Record<string, string> } | Record<string, never> {
    return this.recorded && skill !== undefined ? { metadata: { [SKILL_KEY]: skill } } : {};
  }
}
