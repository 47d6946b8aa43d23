import { allocCase } from "../support/alloc.js";
import { EthernetFrame, EthernetRepr } from "../../src/wire/ethernet.js";
import { WireError } from "../../src/wire/error.js";

const bytes = new Uint8Array([
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x08, 0x00, 0xaa, 0x00, 0x00, 0xff,
]);
const dv = new DataView(bytes.buffer);
const out = new Uint8Array(18);
const outDv = new DataView(out.buffer);
const frame = new EthernetFrame(bytes, dv);
const outFrame = new EthernetFrame(out, outDv);
const repr = new EthernetRepr();

allocCase("ethernet parse+emit", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    frame.reset(bytes, dv, 0, bytes.length);
    if (repr.parse(frame) !== WireError.Ok) return -1;
    outFrame.reset(out, outDv, 0, out.length);
    repr.emit(outFrame);
    acc = (acc + repr.etherType + out[13]) | 0;
  }
  return acc;
});
