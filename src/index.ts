/**
 * smoltcp-ts: a standalone, event-driven TCP/IP stack for microcontroller JavaScript engines.
 *
 * The layers, bottom up (see ARCHITECTURE.md): `wire` (packet formats), `storage` (rings and the
 * assembler), `phy` (the device boundary and portable devices), `socket` (endpoints and their
 * buffers), `iface` (the interface that moves packets between them). Time is passed in; nothing
 * runs by itself: call `Interface.poll(now, device, sockets)`.
 */
export * from "./time.js";
export * from "./features.js";
export * from "./config.js";
export * from "./log.js";
export * from "./wire/index.js";
export * from "./storage/index.js";
export * from "./phy/index.js";
export * from "./socket/index.js";
export * from "./iface/index.js";
