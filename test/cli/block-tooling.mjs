// Makes the generator tooling look uninstalled: resolving ts-morph, json-schema-to-typescript or
// handlebars fails as for a missing package. Used with `node --import tsx --import <this>`.
import { blockPackages } from "./block-hook.mjs";

blockPackages(["ts-morph", "json-schema-to-typescript", "handlebars"]);
