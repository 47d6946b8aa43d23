/**
 * A model of the ENC28J60 as seen from its SPI pins and its INT pin, for testing the driver
 * without hardware (test code only: never bundled into firmware). Portable ECMAScript: runs on
 * Node and inside XS, and allocates nothing per instruction or per frame.
 *
 * What is modelled (datasheet DS39662E sections in brackets, facts from
 * `shared/research/moddable-enc28j60.md` §D):
 * - the SPI instruction set [4.2]: RCR (with the dummy byte of MAC/MII registers), RBM, WCR, WBM,
 *   BFS/BFC (refused on MAC/MII registers), SRC; one instruction per chip-select frame, extra
 *   octets counted in `protocolErrors`;
 * - control registers in four banks selected by ECON1.BSEL, the five common registers [3.1];
 * - 8 KiB buffer memory [3.2] with ERDPT/EWRPT auto-increment (ECON2.AUTOINC): ERDPT wraps from
 *   ERXND to ERXST when it reads inside the receive area, and from 0x1FFF to 0x0000 elsewhere;
 *   EWRPT wraps only from 0x1FFF to 0x0000;
 * - the receive ring [7.2]: ERXST/ERXND, the hardware write pointer ERXWRPT, ERXRDPT (low octet
 *   latched until the high octet is written), the 6-octet header (next packet pointer and receive
 *   status vector), frames padded to an even length, EPKTCNT, ECON2.PKTDEC, ECON1.RXEN/RXRST, the
 *   datasheet's free-space rule and overflow (EIR.RXERIF, frame dropped; also at EPKTCNT = 255);
 * - receive filters [8]: ERXFCON UCEN, BCEN, MCEN, HTEN (hash table EHT0..7), CRCEN, ANDOR;
 *   0 = promiscuous. The pattern-match and magic-packet filters are **not** modelled;
 * - transmit [7.1]: ETXST/ETXND, the per-packet control byte, padding to 60 octets (MACON3.PADCFG
 *   or the control byte), ECON1.TXRTS/TXRST, the 7-octet transmit status vector at ETXND + 1,
 *   EIR.TXIF/TXERIF, ESTAT.TXABRT/LATECOL. A transmission completes at once unless `holdTransmit`
 *   is set (then `completeTransmit()` finishes it). No collisions, deferral or timing;
 * - the PHY over MII [3.3]: MIREGADR, MICMD.MIIRD, MIRDL/H, MIWRL/H (MIWRH starts the write),
 *   MISTAT.BUSY (busy for the first MISTAT read after each start), PHCON1/2, PHSTAT1 (LLSTAT
 *   latching low), PHSTAT2 (LSTAT, DPXSTAT), PHIE, PHIR (read clears PLNKIF/PGIF and EIR.LINKIF),
 *   PHLCON, PHID1/2; `setLink(up)` moves the cable;
 * - soft reset (SRC) with the 1 ms clock start-up and ESTAT.CLKRDY, EREVID (`revision`), the
 *   MAC address registers;
 * - interrupts [12]: the INT pin is low while EIE.INTIE is set and any flag of EIR is set with
 *   its enable bit; a falling edge is latched for each emulated `Digital` and delivered by
 *   `dispatchInterrupts()` (the host's event loop: never inside an SPI call).
 *
 * The silicon errata (DS80349C numbering) the driver works around are reproduced, each behind a
 * bit of `errata` (all on by default, as on real B7 silicon), so a test can show that a
 * workaround matters: see the `ERRATUM_*` constants.
 *
 * The wire side: `attach(peer)` joins two chips back to back (a frame sent by one is offered to
 * the other's filters at once); `connect(peer)` hands every frame sent to any `WirePeer` (the
 * desktop firmware harness bridges it to Node that way); otherwise frames sent are queued in a fixed ring that a test
 * reads with `takeTransmitted()` (the frame lies at `wireOffset` in `wireBytes`), and frames are
 * put on the wire towards the chip with `injectFrame`. Frames on the wire carry no FCS and no
 * preamble; the receive side stores four zero octets where the FCS would be and says in the
 * receive status vector whether it was valid.
 */

import * as R from "../registers.js";

/** Erratum 2: after SRC, ESTAT.CLKRDY reads 1 at once although the clock needs 1 ms to start. */
export const ERRATUM_2_CLKRDY = 1 << 2;
/** Erratum 5: writing ERXST/ERXND loads 0x0000 into the internal write pointer, not ERXST. */
export const ERRATUM_5_RX_WRITE_POINTER = 1 << 5;
/** Erratum 6: EIR.PKTIF reads 0 though packets are pending (it still drives INT). */
export const ERRATUM_6_PKTIF = 1 << 6;
/** Erratum 9: in half duplex without PHCON2.HDLDIS, transmitted frames are looped back into RX. */
export const ERRATUM_9_HALF_DUPLEX_LOOPBACK = 1 << 9;
/** Erratum 12: after a transmit abort, the next TXRTS never clears until TXRST is pulsed. */
export const ERRATUM_12_TX_STALL = 1 << 12;
/** Erratum 13: a link pulse taken as a collision aborts a frame with a late collision (`lateCollisions` of them). */
export const ERRATUM_13_LATE_COLLISION = 1 << 13;
/** Erratum 14: an even ERXRDPT corrupts the ring: the next packet pointer written is wrong. */
export const ERRATUM_14_EVEN_RXRDPT = 1 << 14;
/** Erratum 15: ESTAT.LATECOL is never set; only the TSV tells a late collision. */
export const ERRATUM_15_LATECOL = 1 << 15;
/** Erratum 19: SRC is ignored while ECON2.PWRSV is set. */
export const ERRATUM_19_SRC_POWER_SAVE = 1 << 19;
/** Every erratum above (the default: real silicon). */
export const ERRATA_ALL =
  ERRATUM_2_CLKRDY | ERRATUM_5_RX_WRITE_POINTER | ERRATUM_6_PKTIF | ERRATUM_9_HALF_DUPLEX_LOOPBACK | ERRATUM_12_TX_STALL |
  ERRATUM_13_LATE_COLLISION | ERRATUM_14_EVEN_RXRDPT | ERRATUM_15_LATECOL | ERRATUM_19_SRC_POWER_SAVE;

/** Milliseconds the oscillator needs after a reset before the chip answers (datasheet: 300 µs + PHY). */
const CLOCK_START_MS = 1;
/** Size of one wire slot: the largest frame (1518 with CRC) rounded up. */
const WIRE_SLOT = 1536;
/** Frames the outgoing wire queue holds; more are dropped and counted. */
const WIRE_SLOTS = 16;
/** Offset of the transmit scratch (a frame as it goes on the wire) in `buf`. */
const TX_SCRATCH = 8192;
/** Offset of the outgoing wire ring in `buf`. */
const WIRE_BASE = TX_SCRATCH + WIRE_SLOT;

/** Something that takes frames off the wire: another chip, or anything with the same method. */
export interface WirePeer {
  /** Offers a frame (no FCS) to the receiver; returns whether it was stored. */
  injectFrame(bytes: Uint8Array, off: number, len: number, crcOk?: boolean): boolean;
}

/** The digital inputs wired to INT: what `EmulatedDigital` registers (see `io.ts`). */
export interface IntListener {
  /** Set by the chip on a falling edge of INT, cleared when delivered. */
  edgePending: boolean;
  /** Delivers the latched edge (calls the instance's `onReadable`). */
  deliver(): void;
}

export interface ChipOptions {
  /** EREVID: 0x06 (B7) by default. */
  revision?: number;
  /** False: nothing answers on the bus (MISO floats at `absentValue`). */
  present?: boolean;
  /** What MISO reads without a chip: 0xFF (pulled up) by default, or 0x00. */
  absentValue?: number;
  /** Bit set of `ERRATUM_*` reproduced; `ERRATA_ALL` by default. */
  errata?: number;
  /** Link up at power-on (default true). */
  link?: boolean;
}

export class Enc28j60Chip {
  // ---- configuration -----------------------------------------------------------------------
  readonly revision: number;
  present: boolean;
  readonly absentValue: number;
  /** `ERRATUM_*` bits reproduced. */
  errata: number;
  /** Largest octet count one `read`/`write`/`transfer` call may move (Moddable ESP32: 1024). */
  maxTransfer = 1024;
  /** Late-collision aborts still to inject (erratum 13), one per transmission. */
  lateCollisions = 0;
  /** When true, a transmission stays pending (TXRTS set) until `completeTransmit()`. */
  holdTransmit = false;

  // ---- state ----------------------------------------------------------------------------------
  /** Chip time in ms, moved by `advance` (the driver's `delay`). */
  now = 0;
  /** Buffer memory (0..0x1FFF), then the transmit scratch, then the outgoing wire ring. */
  readonly buf = new Uint8Array(WIRE_BASE + WIRE_SLOT * WIRE_SLOTS);
  /** Control registers: index `bank * 32 + address` (common registers at their address). */
  private readonly eth = new Uint8Array(128);
  /** PHY registers. */
  private readonly phy = new Uint16Array(32);
  /** The hardware receive write pointer (ERXWRPT). */
  private erxwrpt = 0;
  /** EPKTCNT. */
  private epktcnt = 0;
  /** ERXRDPTL as written, waiting for the high octet. */
  private rdptLatch = 0;
  /** MISTAT reads that still show BUSY. */
  private miiBusy = 0;
  private link: boolean;
  /** PHSTAT1.LLSTAT: cleared when the link drops, set again by a read while the link is up. */
  private llstat = false;
  /** A reset is in progress until this chip time. */
  private readyAt = 0;
  /** Erratum 12: the transmit logic is stalled until TXRST is pulsed. */
  private txStalled = false;
  /** A transmission is pending (held or stalled). */
  private txPending = false;
  /** INT level (1 = high, inactive). */
  intLevel = 1;
  private readonly listeners: IntListener[] = [];
  private peer: WirePeer | null = null;

  // ---- SPI frame state ----------------------------------------------------------------------
  /** Chip select asserted. */
  selected = false;
  /** Opcode byte of the instruction in progress, -1 before the first byte of a frame. */
  private op = -1;
  /** Octets of the instruction seen after the opcode. */
  private argCount = 0;
  /** The SPI configuration in use, for the ECMA-419 "in use" rule. */
  spiOpen = false;
  /** Clock and mode given to the emulated SPI. */
  spiHz = 0;
  spiMode = 0;

  // ---- outgoing wire ring -------------------------------------------------------------------
  private readonly wireLengths = new Int32Array(WIRE_SLOTS);
  private wireHead = 0;
  private wireCount = 0;
  /** The array `takeTransmitted` lends frames in. */
  readonly wireBytes: Uint8Array;
  /** Offset in `wireBytes` of the frame the last `takeTransmitted` returned. */
  wireOffset = 0;

  // ---- counters ---------------------------------------------------------------------------------
  /** Instructions (chip-select frames with at least one octet). */
  instructions = 0;
  /** Misuse of the SPI protocol: extra octets, BFS/BFC on a MAC/MII register, busy MII, ... */
  protocolErrors = 0;
  /** Instructions ignored because the clock was not running yet (reset in progress). */
  ignoredWhileResetting = 0;
  framesReceived = 0;
  framesFiltered = 0;
  /** Frames dropped because RX was disabled (RXEN clear) or the chip was in power save. */
  framesRxDisabled = 0;
  framesOverflowed = 0;
  framesTransmitted = 0;
  framesAborted = 0;
  /** Frames dropped because the outgoing wire ring was full. */
  wireDropped = 0;
  /** Ring corruptions caused by an even ERXRDPT (erratum 14). */
  corruptions = 0;

  constructor(options: ChipOptions = {}) {
    this.revision = options.revision ?? R.REV_B7;
    this.present = options.present ?? true;
    this.absentValue = options.absentValue ?? 0xff;
    this.errata = options.errata ?? ERRATA_ALL;
    this.link = options.link ?? true;
    this.llstat = this.link;
    this.wireBytes = this.buf;
    this.powerOnReset();
  }

  // ---------------------------------------------------------------------------------------------
  // Host-side controls
  // ---------------------------------------------------------------------------------------------

  /** Moves chip time on (what the driver's `delay` does in tests). */
  advance(ms: number): void {
    this.now += ms;
  }

  /** Joins this chip's wire to `peer` (both ways if `peer` is a chip). */
  attach(peer: Enc28j60Chip): void {
    this.peer = peer;
    peer.peer = this;
  }

  /**
   * Joins this chip's wire, one way, to anything that takes frames (a host-side bridge, a test
   * device): every frame this chip sends goes to `peer.injectFrame` at once; frames towards this
   * chip come through its own `injectFrame`. `null` unplugs it (frames sent go to the outgoing
   * ring again, for `takeTransmitted`).
   */
  connect(peer: WirePeer | null): void {
    this.peer = peer;
  }

  /** Plugs or unplugs the cable: PHSTAT2.LSTAT, PHSTAT1.LLSTAT, PHIR.PLNKIF and EIR.LINKIF. */
  setLink(up: boolean): void {
    if (up === this.link) return;
    this.link = up;
    if (!up) this.llstat = false;
    this.phy[R.PHIR] |= R.PHIR_PLNKIF | R.PHIR_PGIF;
    const phie = this.phy[R.PHIE];
    if ((phie & R.PHIE_PGEIE) !== 0 && (phie & R.PHIE_PLNKIE) !== 0) this.eth[R.EIR] |= R.EIR_LINKIF;
    this.updateInt();
  }

  /** Registers a digital input wired to INT. */
  addListener(l: IntListener): void {
    this.listeners.push(l);
  }

  removeListener(l: IntListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /**
   * The host's event loop turn: delivers latched INT edges to the registered inputs (their
   * `onReadable` may run SPI instructions and latch new edges). Returns how many were delivered,
   * at most `limit` (a runaway guard).
   */
  dispatchInterrupts(limit = 100): number {
    let n = 0;
    for (let again = true; again && n < limit;) {
      again = false;
      for (let i = 0; i < this.listeners.length && n < limit; i++) {
        const l = this.listeners[i];
        if (l.edgePending) {
          l.edgePending = false;
          l.deliver();
          n++;
          again = true;
        }
      }
    }
    return n;
  }

  /** Reads a control register without side effects (tests), by its `registers.ts` name. */
  peek(name: number): number {
    return this.readReg(name, false);
  }

  /** Writes a control register as WCR would, ignoring the bank and the reset window (tests). */
  poke(name: number, value: number): void {
    this.writeReg(name, value & 0xff);
    this.updateInt();
  }

  /** A PHY register (tests). */
  peekPhy(reg: number): number {
    return this.phy[reg & 0x1f];
  }

  /** EPKTCNT, the hardware write pointer and the read pointer (tests). */
  packetCount(): number {
    return this.epktcnt;
  }
  writePointer(): number {
    return this.erxwrpt;
  }

  /** Octets free in the receive ring (datasheet §7.2.4). */
  freeSpace(): number {
    const st = this.get16(R.ERXSTL);
    const nd = this.get16(R.ERXNDL);
    const rd = this.get16(R.ERXRDPTL);
    const wr = this.erxwrpt;
    if (wr > rd) return nd - st - (wr - rd);
    if (wr === rd) return nd - st;
    return rd - wr - 1;
  }

  /** Finishes a transmission held by `holdTransmit` (no-op if none or if stalled by erratum 12). */
  completeTransmit(): void {
    if (!this.txPending || this.txStalled) return;
    this.txPending = false;
    this.transmitNow();
    this.updateInt();
  }

  /** Whether a transmission is pending (held, or stalled by erratum 12). */
  transmitPending(): boolean {
    return this.txPending;
  }

  /**
   * Lends the oldest frame the chip put on the wire (when not attached to a peer): returns its
   * length (0: none); it lies at `wireOffset` in `wireBytes` until the next call.
   */
  takeTransmitted(): number {
    if (this.wireCount === 0) return 0;
    const slot = this.wireHead;
    this.wireHead = slot + 1 === WIRE_SLOTS ? 0 : slot + 1;
    this.wireCount--;
    this.wireOffset = WIRE_BASE + slot * WIRE_SLOT;
    return this.wireLengths[slot];
  }

  /** Frames waiting in the outgoing wire ring. */
  transmittedCount(): number {
    return this.wireCount;
  }

  // ---------------------------------------------------------------------------------------------
  // SPI pins (driven by `EmulatedSpi`)
  // ---------------------------------------------------------------------------------------------

  /** Chip select released: the instruction in progress ends. */
  deselect(): void {
    if (this.selected && this.op >= 0) {
      const cls = this.op & 0xe0;
      // RCR, WCR, BFS and BFC need at least one octet after the opcode.
      if (this.op !== R.OP_RBM && this.op !== R.OP_WBM && this.op !== R.OP_SRC && this.argCount === 0 && cls !== 0xe0) this.protocolErrors++;
    }
    this.selected = false;
    this.op = -1;
    this.argCount = 0;
  }

  /**
   * Moves the octets of `b` (`replace`: overwritten with what MISO carries, as `transfer` does).
   * The data phase of RBM and WBM runs in a tight loop with local pointers, the rest octet by
   * octet through `exchange`; the effect is the same.
   */
  exchangeBlock(b: Uint8Array, replace: boolean): void {
    let i = 0;
    const n = b.length;
    while (i < n) {
      const op = this.op;
      if (this.selected && this.present && this.spiMode === 0 && (op === R.OP_RBM || op === R.OP_WBM) && (this.eth[R.ECON2] & R.ECON2_AUTOINC) !== 0) {
        const st = this.get16(R.ERXSTL);
        const nd = this.get16(R.ERXNDL);
        const mem = this.buf;
        if (op === R.OP_RBM) {
          let p = this.get16(R.ERDPTL);
          for (; i < n; i++) {
            const v = mem[p];
            if (replace) b[i] = v;
            p = p === nd && p >= st ? st : (p + 1) & R.BUFFER_END;
          }
          this.set16(R.ERDPTL, p);
        } else {
          let p = this.get16(R.EWRPTL);
          for (; i < n; i++) {
            mem[p] = b[i];
            p = (p + 1) & R.BUFFER_END;
            if (replace) b[i] = 0;
          }
          this.set16(R.EWRPTL, p);
        }
        this.argCount += n;
        return;
      }
      const v = this.exchange(b[i]);
      if (replace) b[i] = v;
      i++;
    }
  }

  /** One octet each way while selected: takes what MOSI carries, returns what MISO carries. */
  exchange(mosi: number): number {
    if (!this.present) return this.absentValue;
    if (!this.selected) {
      this.selected = true;
      this.op = -1;
    }
    if (this.spiMode !== 0) {
      // The chip samples on the rising edge of SCK with SCK idling low (mode 0,0 only).
      this.protocolErrors++;
      return 0xff;
    }
    if (this.op < 0) {
      this.op = mosi;
      this.argCount = 0;
      this.instructions++;
      if (mosi === R.OP_SRC) this.softReset();
      return 0;
    }
    const n = ++this.argCount;
    const op = this.op;
    if (op === R.OP_RBM) return this.readBuffer();
    if (op === R.OP_WBM) {
      this.writeBuffer(mosi);
      return 0;
    }
    if (op === R.OP_SRC) {
      this.protocolErrors++;
      return 0;
    }
    const addr = op & R.REG_ADDR_MASK;
    const name = this.nameOf(addr);
    const resetting = this.now < this.readyAt;
    switch (op & 0xe0) {
      case 0x00: {
        // RCR: MAC/MII registers shift out a dummy octet first.
        const mm = (name & R.REG_MAC_MII) !== 0;
        if (n === 1 && mm) return 0;
        if (n > (mm ? 2 : 1)) {
          this.protocolErrors++;
          return 0;
        }
        if (resetting && name !== R.ESTAT) {
          this.ignoredWhileResetting++;
          return 0;
        }
        return this.readReg(name, true);
      }
      case 0x40:
      case 0x80:
      case 0xa0: {
        if (n > 1) {
          this.protocolErrors++;
          return 0;
        }
        if (resetting) {
          this.ignoredWhileResetting++;
          return 0;
        }
        const cls = op & 0xe0;
        if (cls === 0x40) this.writeReg(name, mosi);
        else if ((name & R.REG_MAC_MII) !== 0) this.protocolErrors++; // BFS/BFC: ETH registers only
        else {
          const old = this.readReg(name, false);
          this.writeReg(name, cls === 0x80 ? old | mosi : old & ~mosi);
        }
        this.updateInt();
        return 0;
      }
      default:
        this.protocolErrors++;
        return 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wire
  // ---------------------------------------------------------------------------------------------

  /**
   * A frame arrives from the wire (no FCS; `crcOk` false for one whose FCS was wrong). Applies
   * RXEN, the filters and the free-space rule, then writes it into the receive ring. Returns
   * whether it was stored.
   */
  injectFrame(bytes: Uint8Array, off: number, len: number, crcOk = true): boolean {
    if ((this.eth[R.ECON1] & R.ECON1_RXEN) === 0 || (this.eth[R.ECON2] & R.ECON2_PWRSV) !== 0 || this.now < this.readyAt) {
      this.framesRxDisabled++;
      return false;
    }
    if (len < 14 || !this.accepts(bytes, off, crcOk)) {
      this.framesFiltered++;
      return false;
    }
    const st = this.get16(R.ERXSTL);
    const nd = this.get16(R.ERXNDL);
    const count = len + 4;
    const total = (6 + count + 1) & ~1;
    if (this.epktcnt === 255 || total > this.freeSpace()) {
      this.eth[R.EIR] |= R.EIR_RXERIF;
      this.eth[R.ESTAT] |= R.ESTAT_BUFER;
      this.framesOverflowed++;
      this.updateInt();
      return false;
    }
    const start = this.erxwrpt;
    let next = start + total;
    if (next > nd) next = st + (next - nd - 1);
    let stored = next;
    const rdpt = this.get16(R.ERXRDPTL);
    if ((this.errata & ERRATUM_14_EVEN_RXRDPT) !== 0 && (rdpt & 1) === 0) {
      // Erratum 14: with ERXRDPT even the chip may write a wrong next packet pointer.
      stored = (next + 0x0101) & R.BUFFER_END;
      this.corruptions++;
    }
    let p = start;
    p = this.ringPut(p, stored & 0xff, st, nd);
    p = this.ringPut(p, stored >> 8, st, nd);
    p = this.ringPut(p, count & 0xff, st, nd);
    p = this.ringPut(p, count >> 8, st, nd);
    const d0 = bytes[off];
    const broadcast = d0 === 0xff && bytes[off + 1] === 0xff && bytes[off + 2] === 0xff && bytes[off + 3] === 0xff && bytes[off + 4] === 0xff && bytes[off + 5] === 0xff;
    const type = (bytes[off + 12] << 8) | bytes[off + 13];
    let s2 = type > 1500 ? R.RSV_LENGTH_OUT_OF_RANGE : 0;
    if (type <= 1500 && type !== len - 14) s2 |= R.RSV_LENGTH_CHECK_ERROR;
    s2 |= crcOk ? R.RSV_RECEIVED_OK : R.RSV_CRC_ERROR;
    p = this.ringPut(p, s2, st, nd);
    p = this.ringPut(p, broadcast ? R.RSV_BROADCAST : (d0 & 1) !== 0 ? R.RSV_MULTICAST : 0, st, nd);
    for (let i = 0; i < len; i++) p = this.ringPut(p, bytes[off + i], st, nd);
    for (let i = 0; i < 4; i++) p = this.ringPut(p, 0, st, nd);
    this.erxwrpt = next;
    this.epktcnt++;
    this.framesReceived++;
    this.updateInt();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------------------------------

  private powerOnReset(): void {
    this.buf.fill(0, 0, 8192);
    this.resetRegisters();
    this.readyAt = this.now + CLOCK_START_MS;
  }

  /** SRC: registers to their reset values; buffer memory keeps its contents. */
  private softReset(): void {
    if ((this.errata & ERRATUM_19_SRC_POWER_SAVE) !== 0 && (this.eth[R.ECON2] & R.ECON2_PWRSV) !== 0) return;
    this.resetRegisters();
    this.readyAt = this.now + CLOCK_START_MS;
  }

  private resetRegisters(): void {
    this.eth.fill(0);
    this.set16(R.ERDPTL, 0x05fa);
    this.set16(R.ERXSTL, 0x05fa);
    this.set16(R.ERXNDL, 0x1fff);
    this.set16(R.ERXRDPTL, 0x05fa);
    this.erxwrpt = 0;
    this.eth[R.ECON2] = R.ECON2_AUTOINC;
    this.eth[R.ERXFCON & 0x7f] = R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN;
    this.eth[R.MAMXFLL & 0x7f] = 0x00;
    this.eth[R.MAMXFLH & 0x7f] = 0x06;
    this.eth[R.MACLCON1 & 0x7f] = 0x0f;
    this.eth[R.MACLCON2 & 0x7f] = 0x37;
    this.epktcnt = 0;
    this.miiBusy = 0;
    this.txStalled = false;
    this.txPending = false;
    this.phy.fill(0);
    this.phy[R.PHID1] = 0x0083;
    this.phy[R.PHID2] = 0x1400;
    this.phy[R.PHLCON] = 0x3422;
    this.updateInt();
  }

  /** The register name (bank << 5 | address, with the MAC/MII flag) of an address in the current bank. */
  private nameOf(addr: number): number {
    if (addr >= R.REG_COMMON_FIRST) return addr;
    const bank = this.eth[R.ECON1] & R.ECON1_BSEL;
    const name = (bank << 5) | addr;
    if ((bank === 2 && addr <= 0x19) || (bank === 3 && (addr <= 0x05 || addr === 0x0a))) return name | R.REG_MAC_MII;
    return name;
  }

  private get16(lowName: number): number {
    return (this.eth[lowName & 0x7f] | (this.eth[(lowName & 0x7f) + 1] << 8)) & R.BUFFER_END;
  }

  private set16(lowName: number, v: number): void {
    this.eth[lowName & 0x7f] = v & 0xff;
    this.eth[(lowName & 0x7f) + 1] = (v >> 8) & 0x1f;
  }

  private readReg(name: number, sideEffects: boolean): number {
    const i = name & 0x7f;
    switch (name) {
      case R.EIR: {
        let v = this.eth[R.EIR] & ~R.EIR_PKTIF;
        // Erratum 6: PKTIF does not reliably show pending packets; modelled as always reading 0.
        if (this.epktcnt > 0 && (this.errata & ERRATUM_6_PKTIF) === 0) v |= R.EIR_PKTIF;
        return v;
      }
      case R.ESTAT: {
        let v = this.eth[R.ESTAT] & ~(R.ESTAT_INT | R.ESTAT_CLKRDY);
        if (this.intLevel === 0) v |= R.ESTAT_INT;
        // Erratum 2: CLKRDY is set at once after a soft reset, before the clock runs.
        if (this.now >= this.readyAt || (this.errata & ERRATUM_2_CLKRDY) !== 0) v |= R.ESTAT_CLKRDY;
        return v;
      }
      case R.ERXWRPTL:
        return this.erxwrpt & 0xff;
      case R.ERXWRPTH:
        return this.erxwrpt >> 8;
      case R.EPKTCNT:
        return this.epktcnt;
      case R.EREVID:
        return this.revision;
      case R.MISTAT:
        if (this.miiBusy > 0) {
          if (sideEffects) this.miiBusy--;
          return R.MISTAT_BUSY;
        }
        return 0;
      default:
        return this.eth[i];
    }
  }

  private writeReg(name: number, v: number): void {
    const i = name & 0x7f;
    switch (name) {
      case R.ECON1: {
        const old = this.eth[R.ECON1];
        this.eth[R.ECON1] = v;
        if ((v & R.ECON1_TXRST) !== 0) {
          // Transmit logic held in reset: a pending frame is cancelled, TXRTS cannot be set.
          this.txPending = false;
          this.eth[R.ECON1] &= ~R.ECON1_TXRTS;
        } else if ((old & R.ECON1_TXRST) !== 0) {
          this.txStalled = false;
        }
        if ((v & R.ECON1_RXRST) !== 0) {
          this.eth[R.ECON1] &= ~R.ECON1_RXEN;
          this.epktcnt = 0;
          this.erxwrpt = this.get16(R.ERXSTL);
        }
        if ((v & R.ECON1_TXRTS) !== 0 && (old & R.ECON1_TXRTS) === 0 && (v & R.ECON1_TXRST) === 0) this.startTransmit();
        else if ((v & R.ECON1_TXRTS) === 0 && (old & R.ECON1_TXRTS) !== 0) this.txPending = false; // cancelled by software
        return;
      }
      case R.ECON2:
        if ((v & R.ECON2_PKTDEC) !== 0 && this.epktcnt > 0) this.epktcnt--;
        this.eth[R.ECON2] = v & ~R.ECON2_PKTDEC;
        return;
      case R.EIR: {
        const ro = R.EIR_PKTIF | R.EIR_LINKIF;
        this.eth[R.EIR] = (this.eth[R.EIR] & ro) | (v & ~ro);
        return;
      }
      case R.ESTAT: {
        // Only BUFER, LATECOL and TXABRT can be cleared by software; nothing can be set.
        const clearable = R.ESTAT_BUFER | R.ESTAT_LATECOL | R.ESTAT_TXABRT;
        this.eth[R.ESTAT] &= ~clearable | v;
        return;
      }
      case R.ERXSTL:
      case R.ERXSTH:
      case R.ERXNDL:
      case R.ERXNDH:
        if ((this.eth[R.ECON1] & R.ECON1_RXEN) !== 0) {
          this.protocolErrors++; // the ring may only change while receive is disabled
          return;
        }
        this.eth[i] = name === R.ERXSTH || name === R.ERXNDH ? v & 0x1f : v;
        // Datasheet: programming ERXST also loads ERXWRPT. Erratum 5: it may load 0 instead.
        this.erxwrpt = (this.errata & ERRATUM_5_RX_WRITE_POINTER) !== 0 ? 0 : this.get16(R.ERXSTL);
        return;
      case R.ERXRDPTL:
        this.rdptLatch = v;
        return;
      case R.ERXRDPTH:
        this.eth[R.ERXRDPTL] = this.rdptLatch;
        this.eth[R.ERXRDPTH] = v & 0x1f;
        return;
      case R.ERXWRPTL:
      case R.ERXWRPTH:
      case R.EPKTCNT:
      case R.EREVID:
      case R.MISTAT:
      case R.MIRDL:
      case R.MIRDH:
        return; // read-only
      case R.MICMD: {
        if (this.miiBusy > 0) this.protocolErrors++;
        const old = this.eth[i];
        this.eth[i] = v;
        if ((v & R.MICMD_MIIRD) !== 0 && (old & R.MICMD_MIIRD) === 0) {
          const value = this.phyRead(this.eth[R.MIREGADR & 0x7f] & 0x1f);
          this.eth[R.MIRDL & 0x7f] = value & 0xff;
          this.eth[R.MIRDH & 0x7f] = value >> 8;
          this.miiBusy = 1;
        }
        return;
      }
      case R.MIWRH:
        if (this.miiBusy > 0) this.protocolErrors++;
        this.eth[i] = v;
        this.phyWrite(this.eth[R.MIREGADR & 0x7f] & 0x1f, this.eth[R.MIWRL & 0x7f] | (v << 8));
        this.miiBusy = 1;
        return;
      default:
        if (name === R.ERDPTH || name === R.EWRPTH || name === R.ETXSTH || name === R.ETXNDH) v &= 0x1f;
        this.eth[i] = v;
    }
  }

  private phyRead(reg: number): number {
    switch (reg) {
      case R.PHSTAT1: {
        const v = 0x1800 | (this.llstat ? R.PHSTAT1_LLSTAT : 0);
        this.llstat = this.link;
        return v;
      }
      case R.PHSTAT2:
        return (this.link ? R.PHSTAT2_LSTAT : 0) | ((this.phy[R.PHCON1] & R.PHCON1_PDPXMD) !== 0 ? R.PHSTAT2_DPXSTAT : 0);
      case R.PHIR: {
        const v = this.phy[R.PHIR];
        this.phy[R.PHIR] = 0;
        this.eth[R.EIR] &= ~R.EIR_LINKIF;
        this.updateInt();
        return v;
      }
      default:
        return this.phy[reg];
    }
  }

  private phyWrite(reg: number, v: number): void {
    switch (reg) {
      case R.PHCON1:
        if ((v & R.PHCON1_PRST) !== 0) {
          this.phy[R.PHCON1] = 0;
          this.phy[R.PHCON2] = 0;
          this.phy[R.PHIE] = 0;
          this.phy[R.PHLCON] = 0x3422;
          return;
        }
        this.phy[reg] = v;
        return;
      case R.PHCON2:
      case R.PHIE:
      case R.PHLCON:
        this.phy[reg] = v;
        return;
      default:
        return; // status and ID registers are read-only
    }
  }

  /** RBM: one octet at ERDPT, then the auto-increment with its wrap rules. */
  private readBuffer(): number {
    let p = this.get16(R.ERDPTL);
    const v = this.buf[p];
    if ((this.eth[R.ECON2] & R.ECON2_AUTOINC) !== 0) {
      const st = this.get16(R.ERXSTL);
      const nd = this.get16(R.ERXNDL);
      if (p === nd && p >= st) p = st; // reading inside the receive area wraps ERXND → ERXST
      else p = (p + 1) & R.BUFFER_END;
      this.set16(R.ERDPTL, p);
    }
    return v;
  }

  /** WBM: one octet at EWRPT; EWRPT only wraps 0x1FFF → 0x0000. */
  private writeBuffer(v: number): void {
    const p = this.get16(R.EWRPTL);
    this.buf[p] = v;
    if ((this.eth[R.ECON2] & R.ECON2_AUTOINC) !== 0) this.set16(R.EWRPTL, (p + 1) & R.BUFFER_END);
  }

  private ringPut(p: number, v: number, st: number, nd: number): number {
    this.buf[p] = v;
    return p === nd ? st : (p + 1) & R.BUFFER_END;
  }

  /** The receive filters of ERXFCON (datasheet §8): OR mode, or AND mode with ANDOR. */
  private accepts(bytes: Uint8Array, off: number, crcOk: boolean): boolean {
    const f = this.eth[R.ERXFCON & 0x7f];
    if (f === 0) return true; // promiscuous: even frames with a bad CRC
    if ((f & R.ERXFCON_CRCEN) !== 0 && !crcOk) return false;
    const d0 = bytes[off];
    let broadcast = true;
    for (let i = 0; i < 6; i++) if (bytes[off + i] !== 0xff) broadcast = false;
    const multicast = (d0 & 1) !== 0 && !broadcast;
    let unicast = (d0 & 1) === 0;
    if (unicast) {
      const m = this.eth;
      const b = 0x60;
      unicast =
        bytes[off] === m[(R.MAADR1 & 0x7f)] && bytes[off + 1] === m[(R.MAADR2 & 0x7f)] && bytes[off + 2] === m[b | 0x02] &&
        bytes[off + 3] === m[b | 0x03] && bytes[off + 4] === m[b | 0x00] && bytes[off + 5] === m[b | 0x01];
    }
    let hash = false;
    if ((f & R.ERXFCON_HTEN) !== 0) {
      const k = R.hashTableIndex(bytes, off);
      hash = (this.eth[(R.EHT0 & 0x7f) + (k >> 3)] & (1 << (k & 7))) !== 0;
    }
    const and = (f & R.ERXFCON_ANDOR) !== 0;
    let any = false;
    let all = true;
    if ((f & R.ERXFCON_UCEN) !== 0) {
      any = any || unicast;
      all = all && unicast;
    }
    if ((f & R.ERXFCON_BCEN) !== 0) {
      any = any || broadcast;
      all = all && broadcast;
    }
    if ((f & R.ERXFCON_MCEN) !== 0) {
      any = any || multicast;
      all = all && multicast;
    }
    if ((f & R.ERXFCON_HTEN) !== 0) {
      any = any || hash;
      all = all && hash;
    }
    if ((f & (R.ERXFCON_UCEN | R.ERXFCON_BCEN | R.ERXFCON_MCEN | R.ERXFCON_HTEN)) === 0) return true; // only CRCEN
    return and ? all : any;
  }

  private startTransmit(): void {
    if (this.holdTransmit || ((this.errata & ERRATUM_12_TX_STALL) !== 0 && this.txStalled)) {
      this.txPending = true; // stays with TXRTS set
      return;
    }
    this.transmitNow();
  }

  /** Sends the frame between ETXST and ETXND and writes the transmit status vector. */
  private transmitNow(): void {
    const st = this.get16(R.ETXSTL);
    const nd = this.get16(R.ETXNDL);
    const len = nd - st; // ETXST holds the control byte; the frame is ETXST + 1 .. ETXND
    const ctrl = this.buf[st];
    const macon3 = this.eth[R.MACON3 & 0x7f];
    const pad = (ctrl & R.PPCB_POVERRIDE) !== 0 ? (ctrl & R.PPCB_PPADEN) !== 0 : (macon3 & 0xe0) !== 0;
    let wireLen = len;
    const s = TX_SCRATCH;
    if (len >= 1) this.buf.copyWithin(s, st + 1, st + 1 + len);
    if (pad && wireLen < 60) {
      this.buf.fill(0, s + wireLen, s + 60);
      wireLen = 60;
    }
    const d0 = this.buf[s];
    let broadcast = len >= 6;
    for (let i = 0; i < 6 && broadcast; i++) if (this.buf[s + i] !== 0xff) broadcast = false;
    const flags3 = broadcast ? R.TSV_BROADCAST : (d0 & 1) !== 0 ? R.TSV_MULTICAST : 0;
    const tsv = (nd + 1) & R.BUFFER_END;
    const bad = len < 14 || len > 1514;
    if (bad || (this.lateCollisions > 0 && (this.errata & ERRATUM_13_LATE_COLLISION) !== 0)) {
      if (!bad) this.lateCollisions--;
      // Erratum 13: a link pulse taken for a collision after MACLCON2 octets: a late-collision abort.
      this.writeTsv(tsv, len, 0, flags3 | (bad ? 0 : R.TSV_LATE_COLLISION), 0);
      this.eth[R.EIR] |= R.EIR_TXERIF | R.EIR_TXIF;
      this.eth[R.ESTAT] |= R.ESTAT_TXABRT;
      // Erratum 15: LATECOL is not set reliably (modelled: never).
      if (!bad && (this.errata & ERRATUM_15_LATECOL) === 0) this.eth[R.ESTAT] |= R.ESTAT_LATECOL;
      this.eth[R.ECON1] &= ~R.ECON1_TXRTS;
      // Erratum 12: after an abort the transmit logic stalls until TXRST is pulsed.
      if ((this.errata & ERRATUM_12_TX_STALL) !== 0) this.txStalled = true;
      this.framesAborted++;
      return;
    }
    const halfDuplex = (macon3 & R.MACON3_FULDPX) === 0;
    if ((this.errata & ERRATUM_9_HALF_DUPLEX_LOOPBACK) !== 0 && halfDuplex && (this.phy[R.PHCON2] & R.PHCON2_HDLDIS) === 0) {
      // Erratum 9: the PHY loops our own frame back in half duplex unless HDLDIS is set.
      this.injectFrame(this.buf, s, wireLen, true);
    }
    this.writeTsv(tsv, len, R.TSV_DONE, flags3, wireLen + 4);
    this.eth[R.EIR] |= R.EIR_TXIF;
    this.eth[R.ESTAT] &= ~(R.ESTAT_TXABRT | R.ESTAT_LATECOL);
    this.eth[R.ECON1] &= ~R.ECON1_TXRTS;
    this.framesTransmitted++;
    if (!this.link) return;
    if (this.peer !== null) {
      this.peer.injectFrame(this.buf, s, wireLen, true);
    } else if (this.wireCount < WIRE_SLOTS) {
      let slot = this.wireHead + this.wireCount;
      if (slot >= WIRE_SLOTS) slot -= WIRE_SLOTS;
      this.buf.copyWithin(WIRE_BASE + slot * WIRE_SLOT, s, s + wireLen);
      this.wireLengths[slot] = wireLen;
      this.wireCount++;
    } else {
      this.wireDropped++;
    }
  }

  private writeTsv(at: number, count: number, s2: number, s3: number, wire: number): void {
    const b = this.buf;
    b[at] = count & 0xff;
    b[(at + 1) & R.BUFFER_END] = (count >> 8) & 0xff;
    b[(at + 2) & R.BUFFER_END] = s2;
    b[(at + 3) & R.BUFFER_END] = s3;
    b[(at + 4) & R.BUFFER_END] = wire & 0xff;
    b[(at + 5) & R.BUFFER_END] = (wire >> 8) & 0xff;
    b[(at + 6) & R.BUFFER_END] = 0;
  }

  /** Recomputes INT and latches a falling edge for every listener. */
  private updateInt(): void {
    let flags = this.eth[R.EIR];
    if (this.epktcnt > 0) flags |= R.EIR_PKTIF; // the real flag drives INT even under erratum 6
    const eie = this.eth[R.EIE];
    const level = (eie & R.EIE_INTIE) !== 0 && (flags & eie & 0x7f) !== 0 ? 0 : 1;
    if (level === 0 && this.intLevel === 1) {
      for (let i = 0; i < this.listeners.length; i++) this.listeners[i].edgePending = true;
    }
    this.intLevel = level;
  }
}
