// The Moddable host modules the firmware imports, declared for this project (no Moddable
// typings copied): only what `main.ts` uses.
// (The shapes are those of drivers/enc28j60/ecma419.d.ts; an ambient module may not import a
// relative path, so they are repeated structurally.)
declare module "embedded:io/spi" {
  type Buffer = ArrayBuffer | Uint8Array | DataView;
  const SPI: new (options: { [key: string]: unknown }) => {
    write(buffer: Buffer): void;
    read(buffer: Buffer): unknown;
    transfer(buffer: Buffer): void;
    flush(deselect?: boolean): void;
    close(): void;
  };
  export default SPI;
}
declare module "embedded:io/digital" {
  const Digital: (new (options: { [key: string]: unknown }) => { read(): number; close(): void; target?: unknown }) & {
    readonly InputPullUp: number;
    readonly Falling: number;
  };
  export default Digital;
}
declare module "timer" {
  type TimerId = object;
  const Timer: {
    set(callback: (id: TimerId) => void, ms?: number, repeatMs?: number): TimerId;
    repeat(callback: (id: TimerId) => void, ms: number): TimerId;
    schedule(id: TimerId, ms?: number, repeatMs?: number): void;
    clear(id: TimerId | undefined | null): void;
    delay(ms: number): void;
  };
  export default Timer;
}
declare module "time" {
  const Time: { readonly ticks: number };
  export default Time;
}
declare module "mc/config" {
  const config: Readonly<Record<string, unknown>>;
  export default config;
}
declare function trace(...text: unknown[]): void;
