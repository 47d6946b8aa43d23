import { allocCase } from "../support/alloc.js";
import { Enc28j60 } from "../../drivers/enc28j60/index.js";
import { EmulatedDigital, EmulatedSpi, Enc28j60Chip } from "../../drivers/enc28j60/emulator/index.js";
import { EthernetAddress } from "../../src/wire/ethernet.js";

// Setup, once: an emulated chip with nothing attached to its wire, the driver over it (INT pin
// included, polled from its callback), and a request frame. Each iteration puts the request on
// the wire, lets the INT callback run (the host "polls": receive, answer while the request is
// lent, commit), and takes the answer off the wire. Frame lengths vary up to 1514, so the
// frame reads and writes use both SPI view tables and the ring wraps many times.
const T0 = (0x7fffffff - 3000) | 0;
const chip = new Enc28j60Chip();
const request = new Uint8Array(1514);
request.set([0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b, 0x08, 0x00]);
for (let i = 14; i < request.length; i++) request[i] = i & 0xff;
let now = T0;
let answered = 0;
const driver = new Enc28j60({
  spi: { io: EmulatedSpi, chip, select: 5, hz: 8_000_000, port: 1 },
  interrupt: { io: EmulatedDigital, chip, pin: 33 },
  macAddress: EthernetAddress.parse("02-00-00-00-00-0a"),
  delay: (ms: number) => chip.advance(ms),
  onInterrupt() {
    for (let n = this.receive(now); n > 0; n = this.receive(now)) {
      const off = this.transmitBegin(now, n);
      if (off < 0) continue;
      const tx = this.txBytes;
      const rx = this.rxBytes;
      const r = this.rxOffset;
      for (let i = 0; i < 6; i++) {
        tx[off + i] = rx[r + 6 + i]; // back to the sender
        tx[off + 6 + i] = rx[r + i];
      }
      tx[off + 12] = 0x08;
      tx[off + 13] = 0x06;
      this.transmitCommit(n < 64 ? n : 64);
      answered++;
    }
  },
});

allocCase(
  "enc28j60: frame in over the emulated wire, INT callback, receive, reply, transmit, frame out",
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      now = (T0 + i) | 0;
      const len = 60 + ((i * 379) % 1455);
      chip.injectFrame(request, 0, len);
      chip.dispatchInterrupts();
      const out = chip.takeTransmitted();
      acc = (acc + out + chip.wireBytes[chip.wireOffset + 13] + driver.stats.rxFrames) | 0;
    }
    return (acc + answered) | 0;
  },
  300,
);

allocCase(
  "enc28j60: a burst of 8 full frames overflows the receive ring (RXERIF) while nothing runs, then the INT callback recovers and answers the stored ones",
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      now = (T0 + i) | 0;
      // The ring (6,656 octets) holds 4 frames of 1,514: the other 4 are dropped by the chip.
      for (let k = 0; k < 8; k++) chip.injectFrame(request, 0, 1514);
      chip.dispatchInterrupts();
      for (let out = chip.takeTransmitted(); out > 0; out = chip.takeTransmitted()) acc = (acc + out) | 0;
      acc = (acc + driver.stats.rxOverflows + chip.framesOverflowed) | 0;
    }
    return (acc + answered) | 0;
  },
  100,
);
