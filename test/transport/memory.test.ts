import { createMemoryTransport } from "../../runtime/transport/index.js";
import { runTransportContract } from "./contract.js";

runTransportContract("memory", () => Promise.resolve(createMemoryTransport()));
runTransportContract("memory (random queue pick)", () => Promise.resolve(createMemoryTransport({ queuePick: "random" })));
