/**
 * The ENC28J60 emulator: a chip model (`chip.ts`) and ECMA-419-shaped SPI and Digital classes
 * over it (`io.ts`). Test code only: firmware manifests never include this folder.
 */
export * from "./chip.js";
export { EmulatedDigital, EmulatedSpi } from "./io.js";
