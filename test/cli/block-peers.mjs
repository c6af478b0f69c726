// Makes every optional peer dependency of openagentio look uninstalled (package.json
// peerDependenciesMeta): the generator tooling, and fastify, jose, @nats-io/jetstream and
// @nats-io/kv. Used with `node --import tsx --import <this>`.
import { blockPackages } from "./block-hook.mjs";

blockPackages(["ts-morph", "json-schema-to-typescript", "handlebars", "fastify", "jose", "@nats-io/jetstream", "@nats-io/kv"]);
