/**
 * Naming and reserved words: the Python package generated from test/fixtures/odd-schema
 * (keywords, digits, punctuation, collisions, non-ASCII, the empty name) passes mypy
 * --strict and ruff, maps every odd wire name to a valid attribute and back, and reports the
 * same JSON pointers as ajv under the project's decode-error rule. Plus unit tests of the
 * namer and of the ECMAScript → Python regex translation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadIr } from "../../generator/ir/load.js";
import { MODEL_EXTENSIONS } from "../../generator/ir/keywords.js";
import { pythonEmitter } from "../../generator/python/emitter.js";
import { pascalCase, snakeCase, upperSnake, isPythonIdentifier, Scope } from "../../generator/python/names.js";
import { toPythonPattern, UnsupportedPatternError } from "../../generator/python/regex.js";
import { AJV_OPTIONS } from "../../generator/ts/validators-emitter.js";
import { reportSchemaErrors } from "../../runtime/envelope/schema-report.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensureVenv, explain, mypyCache, run, writeTemp, type PythonEnv } from "./helpers.js";

const FIXTURE = join(REPO_ROOT, "test", "fixtures", "odd-schema");
let py: PythonEnv;
let out: string;

beforeAll(async () => {
  py = await ensureVenv();
  out = writeTemp(await pythonEmitter.emit(loadIr(FIXTURE)));
}, 300_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe("Python namer", () => {
  it("keeps reserved words, digits and punctuation out of identifiers", () => {
    expect(snakeCase("from")).toBe("from_");
    expect(snakeCase("class")).toBe("class_");
    expect(snakeCase("None")).toBe("none");
    expect(snakeCase("1st")).toBe("n_1st");
    expect(snakeCase("a-b")).toBe("a_b");
    expect(snakeCase("")).toBe("n_empty");
    expect(snakeCase("callId")).toBe("call_id");
    expect(snakeCase("HTTPStatus")).toBe("http_status");
    expect(snakeCase("extra")).toBe("extra_");
    expect(snakeCase("str")).toBe("str_");
    expect(snakeCase("ÄÖ")).toBe("uc4_ud6");
    expect(pascalCase("None")).toBe("NoneModel");
    expect(pascalCase("agent.response.final")).toBe("AgentResponseFinal");
    expect(pascalCase("2fa payload")).toBe("N2faPayload");
    expect(upperSnake("acp.retry.attempt", "acp.")).toBe("RETRY_ATTEMPT");
    expect(upperSnake("2fa")).toBe("V_2FA");
    for (const n of ["from", "class", "None", "1st", "a-b", "", "ÄÖ", "lambda", "_", "async"]) {
      expect(isPythonIdentifier(snakeCase(n)), n).toBe(true);
      expect(isPythonIdentifier(pascalCase(n)), n).toBe(true);
    }
  });

  it("resolves collisions within a scope in order", () => {
    const scope = new Scope(["extra"]);
    expect([snakeCase("a-b"), snakeCase("a_b"), snakeCase("a.b")].map((n) => scope.claim(n))).toEqual(["a_b", "a_b_2", "a_b_3"]);
    expect(scope.claim("extra")).toBe("extra_2");
  });
});

describe("ECMAScript → Python patterns", () => {
  it("translates what differs and refuses what it cannot carry over", () => {
    expect(toPythonPattern("^acp/\\d+\\.\\d+$")).toBe("^acp/[0-9]+\\.[0-9]+\\Z");
    expect(toPythonPattern("^[\\d_]$")).toBe("^[0-9_]\\Z");
    expect(toPythonPattern("a.b")).toBe("a[^\\n\\r\\u2028\\u2029]b");
    expect(toPythonPattern("(?<x>a)\\k<x>")).toBe("(?P<x>a)(?P=x)");
    expect(toPythonPattern("(?<=a)b")).toBe("(?<=a)b");
    expect(toPythonPattern("\\u{1F600}")).toBe("\\U0001F600");
    expect(toPythonPattern("[$]")).toBe("[$]");
    expect(() => toPythonPattern("\\p{L}")).toThrow(UnsupportedPatternError);
    expect(() => toPythonPattern("[\\D]")).toThrow(UnsupportedPatternError);
  });
});

describe("package generated from test/fixtures/odd-schema", () => {
  it("passes mypy --strict and ruff", async () => {
    const pkg = join(out, "python");
    const mypy = await run(join(py.bin, "mypy"), ["--strict", "--cache-dir", mypyCache(py, "odd"), "src"], { cwd: pkg, env: py.env });
    expect(mypy.code, explain(mypy)).toBe(0);
    const ruff = await run(join(py.bin, "ruff"), ["check", "--no-cache", "src"], { cwd: pkg, env: py.env });
    expect(ruff.code, explain(ruff)).toBe(0);
  });

  it("maps odd wire names to attributes and back, and reports ajv's pointers", async () => {
    const valid = {
      event_type: "odd.class.def",
      from: "x",
      "": "empty",
      class: { def: "d", self: 1, z: 0 },
      None: true,
      "1st": 2,
      "a-b": "1",
      a_b: "2",
      extra: "e",
      to_json: "t",
      str: "s",
      WIRE_NAMES: "w",
      camelCase: "c",
      HTTPStatus: 200,
      ÄÖ: "ü",
      "tilde~slash/": "t",
      phase: "return",
      is_final: true,
      payload: { import: "12", async: false, type: "1x", from: { yield: "yy" }, None: null, "1st": { def: 3, class: { a: [1, true] } } },
      unknown: [1],
    };
    const mutate = (patch: (v: Record<string, unknown>) => void): unknown => {
      const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
      patch(copy);
      return copy;
    };
    const payloadOf = (v: Record<string, unknown>): Record<string, unknown> => v["payload"] as Record<string, unknown>;
    // ajv (the reference) never reports a missing property named "": required [""] is a no-op.
    const withoutEmpty = mutate((v) => delete v[""]);
    const invalid = [
      mutate((v) => (v["tilde~slash/"] = "ab")),
      mutate((v) => (v["tilde~slash/"] = "\n")),
      mutate((v) => (payloadOf(v)["import"] = "١٢")),
      mutate((v) => (payloadOf(v)["import"] = "12\n")),
      mutate((v) => (payloadOf(v)["1st"] = { def: 10 })),
      mutate((v) => (payloadOf(v)["1st"] = { class: { a: [1, 1] } })),
      mutate((v) => (payloadOf(v)["match"] = [1, 2.5])),
      mutate((v) => (payloadOf(v)["match"] = [1, 2, 3, 4])),
      mutate((v) => (payloadOf(v)["await"] = 0)),
      mutate((v) => (payloadOf(v)["type"] = "mro!")),
      mutate((v) => (payloadOf(v)["from"] = { yield: "y" })),
      mutate((v) => (payloadOf(v)["None"] = 1)),
      mutate((v) => (v["phase"] = "from")),
      mutate((v) => (v["event_type"] = "odd.lambda")),
      mutate((v) => (v["class"] = { self: 1.5 })),
      mutate((v) => delete v["payload"]),
      [],
    ];
    const ajv = new Ajv2020(AJV_OPTIONS);
    ajv.addVocabulary([...MODEL_EXTENSIONS]);
    const ir = loadIr(FIXTURE);
    for (const doc of ir.payloads) ajv.addSchema(doc.schema, doc.id);
    const validate = ajv.compile(ir.envelope.schema);
    const expected = invalid.map((doc) => {
      expect(validate(doc), JSON.stringify(doc).slice(0, 300)).toBe(false);
      return reportSchemaErrors(validate.errors, doc).pointer;
    });
    expect(validate(valid)).toBe(true);
    expect(validate(withoutEmpty)).toBe(true);

    const script = [
      "import json, sys",
      "from openagentio import decode, decode_payload, encode_canonical, try_decode, import_subject, def_subject",
      "from openagentio import NoneModelType, EventType, Phase, MetadataKey, FrameType, ErrorCode, NoneError",
      "data = json.loads(sys.stdin.read())",
      "env = decode(json.dumps(data['valid']))",
      "assert (env.from_, env.n_empty, env.class_.def_, env.extra_, env.str_, env.uc4_ud6) == ('x', 'empty', 'd', 'e', 's', 'ü'), env",
      "assert (env.a_b, env.a_b_2, env.n_1st, env.none, env.to_json_, env.wire_names, env.tilde_slash) == ('1', '2', 2, True, 't', 'w', 't')",
      "assert env.extra == {'unknown': [1]} and env.class_.extra == {'z': 0} and env.phase is Phase.RETURN",
      "assert json.loads(encode_canonical(env)) == data['valid']",
      "p = decode_payload(env)",
      "assert p.type_ is NoneModelType.V_1X and p.from_.yield_ == 'yy' and p.none is None and p.n_1st.class_ == {'a': [1, True]}",
      "assert p.to_json() == data['valid']['payload']",
      "assert import_subject('a_b', 'c') == 'odd.v1.a_b.c' and def_subject('11x', 'a', 'b', prefix='p') == 'p.x.11x.a.b'",
      "for bad in ['11\\n', '12x', '1']:",
      "    try: def_subject(bad, 'a', 'b')",
      "    except Exception as e: assert getattr(e, 'code', None) == 'INVALID_REQUEST'",
      "    else: raise AssertionError(bad)",
      "assert (EventType.CLASS_DEF, EventType.NONE, FrameType.V_2FA, MetadataKey.A_B_2, ErrorCode.NONE) == ('odd.class.def', 'odd.lambda', '2fa', 'acp.a_b', 'NONE')",
      "assert NoneError('m').code == 'NONE'",
      "assert decode(json.dumps(data['withoutEmpty'])).n_empty is None",
      "print(json.dumps([try_decode(json.dumps(d)).pointer for d in data['invalid']]))",
    ].join("\n");
    const res = await run(py.python, ["-c", script], {
      cwd: out,
      env: { ...py.env, PYTHONPATH: join(out, "python", "src"), PYTHONNOUSERSITE: "1" },
      input: JSON.stringify({ valid, invalid, withoutEmpty }),
    });
    expect(res.code, explain(res)).toBe(0);
    expect(JSON.parse(res.stdout) as string[]).toEqual(expected);
  });
});
