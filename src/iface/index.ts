/**
 * The interface layer: `Interface` (ingress dispatch, egress scheduling, ICMP error generation),
 * the neighbor cache, the route table and the counters. See `interface.ts` for the essay.
 */
export * from "./interface.js";
export * from "./neighbor.js";
export * from "./route.js";
export * from "./stats.js";
