/**
 * Installs the Python contract package of examples/contracts (`python/` of `oaio generate
 * --contracts`) from its pyproject.toml into a fresh virtual environment, offline, as a
 * consumer would: the project venv's packages (nats-py, setuptools) are visible to the new
 * one, and the SDK `openagentio` comes from this checkout (PYTHONPATH). Shared by the tests
 * that run the installed package.
 */
import { execFileSync } from "node:child_process";
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";

/** The project's venv, which creates the new one. */
export const VENV_PYTHON = join(REPO_ROOT, ".venv/bin/python");

/** An environment with the contract package installed. */
export interface ContractVenv {
  /** Its interpreter. */
  readonly python: string;
  /** The environment to run it with (this checkout's SDK on PYTHONPATH). */
  readonly env: NodeJS.ProcessEnv;
}

/** Creates `<work>/venv` and installs examples/contracts/generated/python into it. */
export function installContractPackage(work: string): ContractVenv {
  const venv = join(work, "venv");
  const python = join(venv, "bin/python");
  const env = { ...process.env, PYTHONPATH: join(REPO_ROOT, "generated/python/src"), PYTHONDONTWRITEBYTECODE: "1" };
  const pkg = join(work, "pkg");
  cpSync(join(REPO_ROOT, "examples/contracts/generated/python"), pkg, { recursive: true });
  execFileSync(VENV_PYTHON, ["-m", "venv", venv], { timeout: 120_000 });
  const purelib = (p: string): string => execFileSync(p, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: "utf8" }).trim();
  writeFileSync(join(purelib(python), "oaio-project-venv.pth"), `${purelib(VENV_PYTHON)}\n`);
  // Installed from pyproject.toml by setuptools, offline: pip cannot build a wheel here without
  // network (no `wheel`, setuptools 65), so the same build backend runs directly.
  execFileSync(
    python,
    [
      "-W",
      "ignore",
      "-c",
      "from setuptools import setup; setup()",
      "-q",
      "install",
      "--single-version-externally-managed",
      "--record",
      join(work, "record.txt"),
    ],
    { cwd: pkg, env, timeout: 120_000, stdio: "ignore" },
  );
  rmSync(pkg, { recursive: true, force: true });
  return { python, env };
}
