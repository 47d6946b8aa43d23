// The ENC28J60 emulator against the datasheet: instructions, banks, the MAC/MII dummy byte,
// buffer pointer wrap rules, the receive ring and EPKTCNT, the transmit status vector, MII, the
// filters, INT, and the errata it reproduces. Driven through the emulated ECMA-419 SPI with raw
// instructions, as a driver would.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../../../drivers/enc28j60/registers.js";
import {
  EmulatedDigital, EmulatedSpi, Enc28j60Chip, ERRATA_ALL, ERRATUM_14_EVEN_RXRDPT, ERRATUM_2_CLKRDY, ERRATUM_6_PKTIF, type ChipOptions,
} from "../../../drivers/enc28j60/emulator/index.js";
import { frame, spiOptions, equalBytes } from "./rig.js";

/** Raw instructions, one select frame each. */
class Raw {
  readonly chip: Enc28j60Chip;
  readonly spi: EmulatedSpi;
  constructor(options: ChipOptions = {}) {
    this.chip = new Enc28j60Chip(options);
    this.spi = new EmulatedSpi(spiOptions(this.chip));
    this.chip.advance(1); // power-on clock start
  }
  op(bytes: number[]): Uint8Array {
    const b = new Uint8Array(bytes);
    this.spi.transfer(b);
    this.spi.flush(true);
    return b;
  }
  bank(name: number): void {
    if ((name & 0x1f) >= 0x1b) return;
    this.op([R.OP_BFC | R.ECON1, 0x03]);
    this.op([R.OP_BFS | R.ECON1, (name >> 5) & 3]);
  }
  rcr(name: number): number {
    this.bank(name);
    if (name & R.REG_MAC_MII) return this.op([name & 0x1f, 0, 0])[2];
    return this.op([name & 0x1f, 0])[1];
  }
  wcr(name: number, v: number): void {
    this.bank(name);
    this.op([R.OP_WCR | (name & 0x1f), v]);
  }
  wcr16(name: number, v: number): void {
    this.wcr(name, v & 0xff);
    this.wcr(name + 1, v >> 8);
  }
  rcr16(name: number): number {
    return this.rcr(name) | (this.rcr(name + 1) << 8);
  }
  rbm(n: number): Uint8Array {
    const b = new Uint8Array(n + 1);
    b[0] = R.OP_RBM;
    this.spi.transfer(b);
    this.spi.flush(true);
    return b.subarray(1);
  }
  wbm(bytes: ArrayLike<number>): void {
    const b = new Uint8Array(bytes.length + 1);
    b[0] = R.OP_WBM;
    b.set(bytes as ArrayLike<number>, 1);
    this.spi.write(b);
    this.spi.flush(true);
  }
  phyRead(reg: number): number {
    this.wcr(R.MIREGADR, reg);
    this.wcr(R.MICMD, R.MICMD_MIIRD);
    let spins = 0;
    while (this.rcr(R.MISTAT) & R.MISTAT_BUSY) spins++;
    this.wcr(R.MICMD, 0);
    return this.rcr(R.MIRDL) | (this.rcr(R.MIRDH) << 8) | (spins << 16);
  }
  phyWrite(reg: number, v: number): void {
    this.wcr(R.MIREGADR, reg);
    this.wcr(R.MIWRL, v & 0xff);
    this.wcr(R.MIWRH, v >> 8);
    while (this.rcr(R.MISTAT) & R.MISTAT_BUSY);
  }
  /** Ring 0..0x19FF, RXEN, MAC 02-..-0a. */
  startRx(filters = R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN): void {
    this.wcr16(R.ERXSTL, 0);
    this.wcr16(R.ERXNDL, 0x19ff);
    this.wcr16(R.ERXRDPTL, 0x19ff);
    this.wcr(R.ERXFCON, filters);
    const mac = [2, 0, 0, 0, 0, 0x0a];
    const regs = [R.MAADR1, R.MAADR2, R.MAADR3, R.MAADR4, R.MAADR5, R.MAADR6];
    for (let i = 0; i < 6; i++) this.wcr(regs[i], mac[i]);
    this.op([R.OP_BFS | R.ECON1, R.ECON1_RXEN]);
  }
}

const ME = "02-00-00-00-00-0a";
const PEER = "02-00-00-00-00-0b";

test("reset values, EREVID, and the 1 ms clock start after SRC (with and without errata 2)", () => {
  for (const errata of [0, ERRATA_ALL]) {
    const r = new Raw({ errata, revision: R.REV_B5 });
    assert.is(r.rcr(R.EREVID), R.REV_B5);
    assert.is(r.rcr16(R.ERXSTL), 0x05fa);
    assert.is(r.rcr16(R.ERXNDL), 0x1fff);
    assert.is(r.rcr(R.ECON2), R.ECON2_AUTOINC);
    assert.is(r.rcr(R.ERXFCON), 0xa1);
    r.wcr16(R.ERXNDL, 0x1234);
    r.op([R.OP_SRC]);
    const clkrdy = r.rcr(R.ESTAT) & R.ESTAT_CLKRDY;
    assert.is(clkrdy, errata & ERRATUM_2_CLKRDY ? 1 : 0, "errata 2: CLKRDY set too early");
    assert.is(r.rcr(R.EREVID), 0, "nothing answers before the clock runs");
    assert.ok(r.chip.ignoredWhileResetting > 0);
    r.chip.advance(1);
    assert.is(r.rcr(R.ESTAT) & R.ESTAT_CLKRDY, 1);
    assert.is(r.rcr(R.EREVID), R.REV_B5);
    assert.is(r.rcr16(R.ERXNDL), 0x1fff, "SRC restored the reset value");
  }
});

test("banks: one address names a different register in each bank; the common registers are in all", () => {
  const r = new Raw();
  r.wcr(R.ERDPTL, 0x11); // bank 0, address 0x00
  r.wcr(R.EHT0, 0x22); // bank 1, address 0x00
  r.wcr(R.MAADR5, 0x33); // bank 3, address 0x00 (MAC)
  for (const [name, v] of [[R.ERDPTL, 0x11], [R.EHT0, 0x22], [R.MAADR5, 0x33]]) assert.is(r.rcr(name), v);
  for (let bank = 0; bank < 4; bank++) {
    r.op([R.OP_BFC | R.ECON1, 3]);
    r.op([R.OP_BFS | R.ECON1, bank]);
    r.op([R.OP_WCR | R.EIE, 0x40 | bank]);
    assert.is(r.op([R.EIE, 0])[1], 0x40 | bank);
    assert.is(r.op([R.ECON1, 0])[1] & 3, bank, "ECON1 is readable in every bank");
  }
});

test("MAC/MII registers shift out a dummy octet first; BFS/BFC on them is refused", () => {
  const r = new Raw();
  r.wcr(R.MACON3, 0x32);
  r.bank(R.MACON3);
  const two = r.op([R.MACON3 & 0x1f, 0]);
  assert.is(two[1], 0, "the second octet is the dummy");
  assert.is(r.op([R.MACON3 & 0x1f, 0, 0])[2], 0x32);
  const before = r.chip.protocolErrors;
  r.op([R.OP_BFS | (R.MACON3 & 0x1f), 0x01]);
  assert.is(r.chip.protocolErrors, before + 1);
  assert.is(r.rcr(R.MACON3), 0x32, "unchanged");
  r.op([R.EIE, 0, 0]);
  assert.is(r.chip.protocolErrors, before + 2, "an extra octet after an ETH register read is a protocol error");
});

test("ERDPT wraps ERXND → ERXST inside the receive area and 0x1FFF → 0 elsewhere; EWRPT only at 0x1FFF", () => {
  const r = new Raw();
  r.wcr16(R.ERXSTL, 0x0100);
  r.wcr16(R.ERXNDL, 0x01ff);
  r.wcr16(R.EWRPTL, 0x01fe);
  r.wbm([1, 2, 3, 4]);
  assert.is(r.rcr16(R.EWRPTL), 0x0202, "EWRPT crosses ERXND without wrapping");
  r.wcr16(R.ERDPTL, 0x01fe);
  r.wcr16(R.EWRPTL, 0x0100);
  r.wbm([9]);
  assert.equal([...r.rbm(3)], [1, 2, 9], "ERDPT wrapped from ERXND to ERXST");
  r.wcr16(R.EWRPTL, 0x1ffe);
  r.wbm([5, 6, 7]);
  assert.is(r.rcr16(R.EWRPTL), 0x0001);
  r.wcr16(R.ERDPTL, 0x1ffe);
  assert.equal([...r.rbm(3)], [5, 6, 7], "outside the ring ERDPT wraps at the end of memory");
  r.op([R.OP_BFC | R.ECON2, R.ECON2_AUTOINC]);
  r.wcr16(R.ERDPTL, 0x1ffe);
  assert.equal([...r.rbm(2)], [5, 5], "no AUTOINC: the pointer stays");
});

test("receive ring: header (next pointer, RSV), even padding, EPKTCNT and PKTDEC, free space, overflow", () => {
  const r = new Raw();
  r.startRx();
  const f = frame(ME, PEER, 61, 7);
  assert.ok(r.chip.injectFrame(f, 0, f.length));
  assert.is(r.rcr(R.EPKTCNT), 1);
  r.wcr16(R.ERDPTL, 0);
  const h = r.rbm(6);
  const next = h[0] | (h[1] << 8);
  assert.is(next, (6 + 61 + 4 + 1) & ~1, "next packet pointer: header + frame + CRC, padded even");
  assert.is(h[2] | (h[3] << 8), 65, "byte count includes the CRC");
  assert.is(h[4] & R.RSV_RECEIVED_OK, R.RSV_RECEIVED_OK);
  assert.is(h[4] & R.RSV_LENGTH_OUT_OF_RANGE, R.RSV_LENGTH_OUT_OF_RANGE, "a type field > 1500");
  assert.ok(equalBytes(r.rbm(61), f));
  assert.is(r.rcr16(R.ERXWRPTL), next);
  // Free: read pointer to next - 1 (odd), PKTDEC.
  r.wcr16(R.ERXRDPTL, next - 1);
  r.op([R.OP_BFS | R.ECON2, R.ECON2_PKTDEC]);
  assert.is(r.rcr(R.EPKTCNT), 0);
  assert.is(r.chip.freeSpace(), 0x19ff - 1);
  // Fill the ring: 1514-octet frames until one does not fit.
  const big = frame(ME, PEER, 1514, 1);
  let stored = 0;
  while (r.chip.injectFrame(big, 0, big.length)) stored++;
  assert.is(stored, 4, "6.5 KiB hold four 1524-octet records");
  assert.is(r.rcr(R.EIR) & R.EIR_RXERIF, R.EIR_RXERIF);
  assert.is(r.rcr(R.EPKTCNT), 4, "the dropped frame was not counted");
  assert.is(r.chip.framesOverflowed, 1);
});

test("receive ring: the write pointer wraps at ERXND and the frame reads back across the wrap", () => {
  const r = new Raw();
  r.startRx();
  const f = frame(ME, PEER, 1000, 3);
  let at = 0;
  let wraps = 0;
  for (let i = 0; i < 12; i++) {
    assert.ok(r.chip.injectFrame(f, 0, f.length), "frame " + i);
    r.wcr16(R.ERDPTL, at);
    const h = r.rbm(6);
    const body = r.rbm(1000);
    assert.ok(equalBytes(body, f), "frame " + i + " intact");
    const next = h[0] | (h[1] << 8);
    if (next < at) wraps++;
    at = next;
    r.wcr16(R.ERXRDPTL, at === 0 ? 0x19ff : at - 1);
    r.op([R.OP_BFS | R.ECON2, R.ECON2_PKTDEC]);
  }
  assert.is(wraps, 1, "the ring wrapped once");
});

test("transmit: control byte, ETXND, TXRTS, padding to 60, the 7-octet status vector after ETXND, TXIF", () => {
  const r = new Raw();
  r.wcr(R.MACON3, R.MACON3_PADCFG0 | R.MACON3_TXCRCEN);
  const f = frame("ff-ff-ff-ff-ff-ff", ME, 42, 9);
  r.wcr16(R.ETXSTL, 0x1a00);
  r.wcr16(R.EWRPTL, 0x1a00);
  r.wbm([0x00, ...f]);
  r.wcr16(R.ETXNDL, 0x1a00 + 42);
  r.op([R.OP_BFS | R.ECON1, R.ECON1_TXRTS]);
  assert.is(r.rcr(R.ECON1) & R.ECON1_TXRTS, 0);
  assert.is(r.rcr(R.EIR) & R.EIR_TXIF, R.EIR_TXIF);
  const n = r.chip.takeTransmitted();
  assert.is(n, 60, "padded");
  const wire = r.chip.wireBytes.subarray(r.chip.wireOffset, r.chip.wireOffset + n);
  assert.ok(equalBytes(wire.subarray(0, 42), f));
  assert.is(wire[59], 0);
  r.wcr16(R.ERDPTL, 0x1a00 + 43);
  const tsv = r.rbm(7);
  assert.is(tsv[0] | (tsv[1] << 8), 42, "byte count");
  assert.is(tsv[2] & R.TSV_DONE, R.TSV_DONE);
  assert.is(tsv[3] & R.TSV_BROADCAST, R.TSV_BROADCAST);
  assert.is(tsv[4] | (tsv[5] << 8), 64, "on the wire with the CRC");
});

test("MII: PHY reads go through MICMD/MISTAT.BUSY; PHSTAT2 link; PHIR clears LINKIF; LLSTAT latches low", () => {
  const r = new Raw();
  const id = r.phyRead(R.PHID1);
  assert.is(id & 0xffff, 0x0083);
  assert.ok(id >> 16 >= 1, "BUSY was seen at least once");
  assert.is(r.phyRead(R.PHSTAT2) & R.PHSTAT2_LSTAT, R.PHSTAT2_LSTAT);
  r.phyWrite(R.PHIE, R.PHIE_PGEIE | R.PHIE_PLNKIE);
  assert.is(r.phyRead(R.PHIE) & 0xffff, R.PHIE_PGEIE | R.PHIE_PLNKIE);
  r.chip.setLink(false);
  assert.is(r.rcr(R.EIR) & R.EIR_LINKIF, R.EIR_LINKIF);
  r.chip.setLink(true);
  assert.is(r.phyRead(R.PHSTAT1) & R.PHSTAT1_LLSTAT, 0, "the link was lost since the last read");
  assert.is(r.phyRead(R.PHSTAT1) & R.PHSTAT1_LLSTAT, R.PHSTAT1_LLSTAT);
  assert.is(r.phyRead(R.PHIR) & R.PHIR_PLNKIF, R.PHIR_PLNKIF);
  assert.is(r.rcr(R.EIR) & R.EIR_LINKIF, 0, "reading PHIR cleared LINKIF");
  assert.is(r.chip.protocolErrors, 0);
});

test("filters: unicast, broadcast, multicast, hash table, CRC, promiscuous", () => {
  const cases: [number, string, boolean, boolean][] = [
    // filters, destination, crc ok, accepted
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN, ME, true, true],
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN, ME, false, false],
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN, PEER, true, false],
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN, "ff-ff-ff-ff-ff-ff", true, true],
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN, "ff-ff-ff-ff-ff-ff", true, false],
    [R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN, "01-00-5e-00-00-fb", true, false],
    [R.ERXFCON_UCEN | R.ERXFCON_MCEN, "01-00-5e-00-00-fb", true, true],
    [0, PEER, false, true],
  ];
  for (const [filters, dst, crc, ok] of cases) {
    const r = new Raw();
    r.startRx(filters);
    const f = frame(dst, PEER, 60);
    assert.is(r.chip.injectFrame(f, 0, 60, crc), ok, `ERXFCON 0x${filters.toString(16)} to ${dst} crc ${crc}`);
  }
  // Hash table: set exactly the bucket of 01-00-5e-00-00-fb.
  const r = new Raw();
  r.startRx(R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN | R.ERXFCON_HTEN);
  const mdns = frame("01-00-5e-00-00-fb", PEER, 60);
  const k = R.hashTableIndex(mdns, 0);
  assert.not.ok(r.chip.injectFrame(mdns, 0, 60), "empty table");
  r.op([R.OP_BFC | R.ECON1, R.ECON1_RXEN]);
  r.wcr(R.EHT0 + (k >> 3), 1 << (k & 7));
  r.op([R.OP_BFS | R.ECON1, R.ECON1_RXEN]);
  assert.ok(r.chip.injectFrame(mdns, 0, 60), "its bucket is set");
  let other = "";
  for (let i = 0; i < 256 && !other; i++) {
    const d = "01-00-5e-00-01-" + (i < 16 ? "0" : "") + i.toString(16);
    if (R.hashTableIndex(frame(d, PEER, 14), 0) !== k) other = d;
  }
  assert.not.ok(r.chip.injectFrame(frame(other, PEER, 60), 0, 60), "another bucket");
});

test("INT: low while an enabled flag is set and INTIE; one edge per fall, delivered by the event loop only", () => {
  const r = new Raw();
  let calls = 0;
  const pin = new EmulatedDigital({ io: EmulatedDigital, chip: r.chip, pin: 33, mode: 1, edge: 2, onReadable() { calls++; } });
  r.startRx();
  r.wcr(R.EIE, R.EIE_PKTIE);
  const f = frame(ME, PEER, 60);
  r.chip.injectFrame(f, 0, 60);
  assert.is(pin.read(), 1, "INTIE clear: INT stays high");
  r.op([R.OP_BFS | R.EIE, R.EIE_INTIE]);
  assert.is(pin.read(), 0);
  assert.is(calls, 0, "not inside an SPI call");
  r.chip.injectFrame(f, 0, 60);
  assert.is(r.chip.dispatchInterrupts(), 1);
  assert.is(calls, 1, "one edge: INT was already low for the second packet");
  r.op([R.OP_BFC | R.EIE, R.EIE_INTIE]);
  r.op([R.OP_BFS | R.EIE, R.EIE_INTIE]);
  assert.is(r.chip.dispatchInterrupts(), 1, "gating INTIE makes a new edge");
  assert.is(r.rcr(R.ESTAT) & R.ESTAT_INT, R.ESTAT_INT);
});

test("errata 6 reproduced: PKTIF reads 0 with packets waiting, EPKTCNT does not lie", () => {
  for (const errata of [0, ERRATUM_6_PKTIF]) {
    const r = new Raw({ errata });
    r.startRx();
    r.chip.injectFrame(frame(ME, PEER, 60), 0, 60);
    assert.is(r.rcr(R.EPKTCNT), 1);
    assert.is(r.rcr(R.EIR) & R.EIR_PKTIF, errata ? 0 : R.EIR_PKTIF);
  }
});

test("errata 14 reproduced: an even ERXRDPT corrupts the next packet pointer", () => {
  for (const errata of [0, ERRATUM_14_EVEN_RXRDPT]) {
    const r = new Raw({ errata });
    r.startRx();
    r.wcr16(R.ERXRDPTL, 0x19fe);
    r.chip.injectFrame(frame(ME, PEER, 60), 0, 60);
    r.wcr16(R.ERDPTL, 0);
    const next = r.rbm(2);
    assert.is((next[0] | (next[1] << 8)) === 70, errata === 0);
  }
});

test("SPI: more than 1024 octets in one call throws; mode 3 garbles; a second instance is 'in use'", () => {
  const r = new Raw();
  assert.throws(() => r.spi.read(new Uint8Array(1025)), /exceeds 1024/);
  assert.throws(() => new EmulatedSpi(spiOptions(r.chip)), /in use/);
  r.spi.close();
  const spi3 = new EmulatedSpi({ ...spiOptions(r.chip), mode: 3 });
  const b = new Uint8Array([R.EREVID & 0x1f, 0]);
  spi3.transfer(b);
  assert.is(b[1], 0xff);
  assert.ok(r.chip.protocolErrors > 0);
});

test.run();
