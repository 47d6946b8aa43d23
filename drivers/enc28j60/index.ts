/**
 * The ENC28J60 as a smoltcp-ts `Device`, over ECMA-419 `SPI` and `Digital` only.
 *
 * The Microchip ENC28J60 is a 10BASE-T MAC and PHY with 8 KiB of buffer memory behind an SPI
 * port (mode 0, up to 20 MHz). This driver speaks to it one instruction per chip-select frame
 * (every instruction ends with `flush(true)`), moves at most 1024 octets in one SPI call (the
 * transaction size of Moddable's ESP32 port), and allocates everything in its constructor:
 * frames are read into and sent from two fixed 1536-octet arrays, the command octets live in
 * tiny preallocated arrays, and the SPI calls take preallocated views whose lengths are
 * multiples of 32 octets (so a frame is moved with at most two calls and no `subarray` per
 * frame; up to 31 octets more than the frame are read from the ring or written into the
 * transmit area, where they are harmless).
 *
 * ```text
 *  buffer memory   0x0000 ┌───────────────────────────┐ ERXST (errata 5: the ring starts at 0)
 *                         │ receive ring, 6.5 KiB      │ ERXRDPT always odd (errata 14)
 *                  0x19FF ├───────────────────────────┤ ERXND (odd)
 *                  0x1A00 │ control byte, frame, TSV   │ ETXST .. ETXND, status vector at ETXND+1
 *                  0x1FFF └───────────────────────────┘
 * ```
 *
 * - **Receive** is driven by EPKTCNT, never by EIR.PKTIF (errata 6): `receive(now)` reads
 *   EPKTCNT, reads the 6-octet header at the next packet pointer, checks the pointer and the
 *   receive status vector (a bad CRC, a length error, a runt or giant is dropped and counted),
 *   copies the frame into `rxBytes`, frees the space (ERXRDPT odd) and decrements EPKTCNT. A
 *   corrupt next packet pointer resets the receive logic and the ring (counted).
 * - **Transmit**: one frame in flight. `transmitBegin` returns offset 1 of `txBytes` (octet 0 is
 *   the per-packet control byte, 0: use MACON3) once the previous frame is done; `transmitCommit`
 *   resets the transmit logic (errata 12), writes control byte and frame with one WBM, sets
 *   ETXND and TXRTS. Completion is seen in the interrupt path or by the next `transmitBegin`: a
 *   late collision read from the transmit status vector (errata 13, 15) is retried up to
 *   `MAX_TX_RETRIES` times; other aborts and time-outs are counted and the frame dropped.
 * - **Interrupts**: INT (active low) is a `Digital` input with a falling-edge `onReadable`. The
 *   handler clears EIE.INTIE first, services EIR (link change, transmit done or failed, receive
 *   overflow), lets the host poll the interface (`onInterrupt`), then sets INTIE again: if any
 *   flag is still pending, INT falls again and a new edge is delivered, so no event is lost
 *   between the read of EIR and the end of the handler. `backupPoll(now)`, called by the host
 *   every second or so, catches a missed edge (INT low with no callback) and a missed link change.
 * - **Time** is passed in: `receive`/`transmitBegin` get the interface's `now`; the 1 ms reset
 *   wait uses the host's `delay(ms)` given once in the options (Moddable: `Timer.delay`). The
 *   driver creates no timers.
 *
 * What is **not** supported: the DMA engine and its checksum (errata 17: never used), the
 * pattern-match and magic-packet filters, power-save, 802.3 length frames (dropped as length
 * errors when the chip flags them), auto-negotiation (the chip has none: a switch sees a
 * half-duplex 10 Mb/s partner; configure `fullDuplex` only against a partner forced to full).
 */

import * as R from "./registers.js";
import type { Digital, DigitalOptions, Spi, SpiOptions } from "./ecma419.js";
import { DeviceCapabilities, DeviceConfigError, DeviceUsageError, Medium, type Device } from "../../src/phy/device.js";
import { ChecksumCapabilities } from "../../src/wire/checksum.js";
import type { EthernetAddress } from "../../src/wire/ethernet.js";
import type { Ipv6Address } from "../../src/wire/ip.js";
import type { Instant } from "../../src/time.js";

// ---- Errata workarounds (DS80349C numbering), one bit each -------------------------------------
// Every bit is set in normal use. Tests clear one to show that its workaround matters (the
// `workarounds` option); firmware never passes it.

/** Errata 2: wait 1 ms after SRC instead of trusting ESTAT.CLKRDY. */
export const WORKAROUND_2_RESET_WAIT = 1 << 2;
/** Errata 5: the receive ring starts at 0x0000 (ERXST writes may load 0 into the write pointer). */
export const WORKAROUND_5_RX_AT_ZERO = 1 << 5;
/** Errata 6: decide "a packet is waiting" from EPKTCNT, never from EIR.PKTIF. */
export const WORKAROUND_6_EPKTCNT = 1 << 6;
/** Errata 9: set PHCON2.HDLDIS in half duplex (else our own frames loop back). */
export const WORKAROUND_9_HDLDIS = 1 << 9;
/** Errata 12: pulse ECON1.TXRST before each send and after TXERIF. */
export const WORKAROUND_12_TXRST = 1 << 12;
/** Errata 13: retransmit a frame aborted by a late collision (bounded). */
export const WORKAROUND_13_LATE_COLLISION_RETRY = 1 << 13;
/** Errata 14: program ERXRDPT odd (next − 1, or ERXND). */
export const WORKAROUND_14_ODD_RXRDPT = 1 << 14;
/** Errata 15: read the late-collision bit from the transmit status vector, not ESTAT.LATECOL. */
export const WORKAROUND_15_TSV_LATECOL = 1 << 15;
/** Errata 19: leave power save (ECON2.PWRSV) and wait before SRC. */
export const WORKAROUND_19_POWER_SAVE = 1 << 19;
/** Datasheet §12.1: clear EIE.INTIE while servicing, set it again at the end (a new edge if anything is pending). */
export const WORKAROUND_INTIE_GATING = 1 << 0;
/** Every workaround: what the driver does unless a test says otherwise. */
export const WORKAROUNDS_ALL =
  WORKAROUND_2_RESET_WAIT | WORKAROUND_5_RX_AT_ZERO | WORKAROUND_6_EPKTCNT | WORKAROUND_9_HDLDIS | WORKAROUND_12_TXRST |
  WORKAROUND_13_LATE_COLLISION_RETRY | WORKAROUND_14_ODD_RXRDPT | WORKAROUND_15_TSV_LATECOL | WORKAROUND_19_POWER_SAVE |
  WORKAROUND_INTIE_GATING;

// ---- Sizes -----------------------------------------------------------------------------------------
/** Receive ring: 0x0000..0x19FF (6.5 KiB, ERXND odd); transmit area 0x1A00..0x1FFF (1536 octets). */
const RX_START = 0x0000;
const RX_END = 0x19ff;
const TX_START = 0x1a00;
/** The layout without the errata 5 workaround: transmit area first, ring above it. */
const ALT_TX_START = 0x0000;
const ALT_RX_START = 0x0600;
const ALT_RX_END = 0x1fff;
/** Largest Ethernet frame without its FCS (the MTU as `DeviceCapabilities` counts it). */
export const ENC28J60_MTU = 1514;
/** Size of `rxBytes` and `txBytes`: 1 control octet + 1514, rounded up to the 32-octet SPI step. */
const FRAME_BUFFER = 1536;
/** SPI views come in multiples of this many octets. */
const SPI_STEP = 32;
/** The largest single SPI call (Moddable ESP32 `transactionSize`). */
const SPI_MAX = 1024;
/** Late-collision retransmissions of one frame (Linux `MAX_TX_RETRYCOUNT`). */
export const MAX_TX_RETRIES = 16;
/** MISTAT.BUSY polls before an MII access is declared failed (each poll is one SPI instruction, ≥ 1 µs). */
const MII_POLL_LIMIT = 1000;
/** ECON1 polls in `transmitBegin` while the previous frame is on the wire (1.2 ms at most for 1514 octets). */
const TX_SPIN_LIMIT = 16;
/** A transmission not done after this many ms is cancelled (transmit logic reset, frame dropped). */
const TX_TIMEOUT_MS = 100;
/** Moddable's `Digital.InputPullUp` and `Digital.Falling`. */
const DIGITAL_INPUT_PULL_UP = 1;
const DIGITAL_FALLING = 2;

/** The chip did not answer or misbehaved at initialisation. */
export class Enc28j60Error extends Error {
  /** Set as a field, not assigned: a preloaded (frozen) Error.prototype makes `this.name = ...` throw on XS. */
  override readonly name: string = "Enc28j60Error";
}

/** What can go wrong, one counter each (and what went right). */
export class Enc28j60Stats {
  /** Frames lent by `receive`. */
  rxFrames = 0;
  /** Frames dropped: receive status vector says CRC error (only reaches us in promiscuous mode). */
  rxCrcErrors = 0;
  /** Frames dropped: length check error, or shorter than an Ethernet header, or longer than 1514. */
  rxLengthErrors = 0;
  /** Frames dropped: "received OK" clear without a CRC error (symbol error, ...). */
  rxOtherErrors = 0;
  /** Receive ring resets after a corrupt next packet pointer or header. */
  rxRingResets = 0;
  /** Receive overflows (EIR.RXERIF): the chip dropped a frame for lack of ring space. */
  rxOverflows = 0;
  /** Frames sent (transmit status "done"). */
  txFrames = 0;
  /** Calls of `transmitBegin` answered -1 (previous frame still on the wire). */
  txBusy = 0;
  /** Retransmissions after a late collision (errata 13). */
  txLateCollisionRetries = 0;
  /** Frames dropped after a transmit abort (late collisions beyond the retry limit, excessive collisions, ...). */
  txAborts = 0;
  /** Frames dropped because TXRTS did not clear within `TX_TIMEOUT_MS`. */
  txTimeouts = 0;
  /** MII accesses whose MISTAT.BUSY never cleared. */
  miiTimeouts = 0;
  /** Interrupt callbacks handled. */
  interrupts = 0;
  /** Backup polls that found INT low without a callback (a missed edge). */
  missedInterrupts = 0;
  /** Link changes seen (PHSTAT2.LSTAT). */
  linkChanges = 0;
}

export interface Enc28j60Options {
  /**
   * The SPI bus: an ECMA-419 options object with `io` (e.g. `{...device.SPI.default, io:
   * device.io.SPI, select: 5, hz: 8_000_000}`). `select` is required; `mode` and `active` are
   * forced to 0; `hz` defaults to 8 MHz and may not exceed 20 MHz.
   */
  spi: SpiOptions;
  /** The INT pin: `{io: device.io.Digital, pin: 33}`; omitted, the host must call `backupPoll` often. */
  interrupt?: DigitalOptions | null;
  /** Our MAC address (the chip has none of its own). */
  macAddress: EthernetAddress;
  /** Busy-waits `ms` milliseconds (Moddable: `Timer.delay`); used at initialisation only. */
  delay: (ms: number) => void;
  /** Full duplex (only against a partner forced to 10 Mb/s full duplex); half duplex by default. */
  fullDuplex?: boolean;
  /** Accept every frame (ERXFCON = 0), including those with a bad CRC, which are then counted and dropped. */
  promiscuous?: boolean;
  /** Called from the INT callback after the chip was serviced: poll the interface here. */
  onInterrupt?: (this: Enc28j60) => void;
  /** Called from the INT callback or `backupPoll` when the link goes up or down. */
  onLinkChange?: (this: Enc28j60, up: boolean) => void;
  /** Tests only: the `WORKAROUND_*` bits to apply (default `WORKAROUNDS_ALL`). */
  workarounds?: number;
}

/** The INT pin's `onReadable`: `this` is the Digital instance, `target` the driver. */
function enc28j60IntReadable(this: Digital): void {
  (this.target as Enc28j60).handleInterrupt();
}

export class Enc28j60 implements Device {
  /** Ethernet, MTU 1514, a burst of 4 full frames (what the receive ring holds), software checksums. */
  readonly capabilities: DeviceCapabilities;
  readonly rxBytes: Uint8Array;
  readonly rxView: DataView;
  /** Always 0: frames are read to the start of `rxBytes`. */
  readonly rxOffset = 0;
  readonly txBytes: Uint8Array;
  readonly txView: DataView;
  readonly stats = new Enc28j60Stats();
  /** EREVID: 0x02 B1, 0x04 B4, 0x05 B5, 0x06 B7. */
  readonly revision: number;
  /** Link status from PHSTAT2.LSTAT, updated on link interrupts and by `backupPoll`. */
  linkUp = false;
  readonly fullDuplex: boolean;
  /** The `WORKAROUND_*` bits in force. */
  readonly workarounds: number;

  private readonly spi: Spi;
  private interrupt: Digital | null = null;
  private readonly delay: (ms: number) => void;
  private readonly onInterrupt: ((this: Enc28j60) => void) | null;
  private readonly onLinkChange: ((this: Enc28j60, up: boolean) => void) | null;
  private readonly promiscuous: boolean;
  private readonly rxStart: number;
  private readonly rxEnd: number;
  private readonly txStart: number;
  /** The bank ECON1.BSEL selects, -1 when unknown. */
  private bank = -1;
  /** Where the next packet's header starts in the ring (always even). */
  private nextPacket = 0;
  /** The interface's `now` at the last call that carried one. */
  private lastNow: Instant = 0;
  /** A frame is on the wire (TXRTS set by us, completion not yet seen). */
  private txInFlight = false;
  private txLen = 0;
  private txRetries = 0;
  private txStartedAt: Instant = 0;
  /** Length reserved by `transmitBegin`, 0 for none. */
  private reserved = 0;
  private closed = false;
  /** The 64-bit multicast hash table (EHT0..EHT7). */
  private readonly hashTable = new Uint8Array(8);
  private readonly macOctets = new Uint8Array(6);

  // Command octets and fixed views, made once.
  private readonly cmd1 = new Uint8Array(1);
  private readonly cmd2 = new Uint8Array(2);
  private readonly cmd3 = new Uint8Array(3);
  private readonly header = new Uint8Array(6);
  private readonly tsv = new Uint8Array(7);
  /** `rxBytes` / `txBytes` views of 32, 64, ... 1024 octets at offset 0, and 32 ... 512 at 1024. */
  private readonly rxLow: Uint8Array[] = [];
  private readonly rxHigh: Uint8Array[] = [];
  private readonly txLow: Uint8Array[] = [];
  private readonly txHigh: Uint8Array[] = [];

  /**
   * Opens the SPI bus and the INT pin, resets the chip, checks that it answers, and configures
   * it (receive ring, transmit area, MAC, PHY, filters, interrupts); receive is enabled on
   * return. Throws `Enc28j60Error` if no chip answers (EREVID 0x00 or 0xFF), `DeviceConfigError`
   * for bad options; everything opened is closed again before throwing.
   */
  constructor(options: Enc28j60Options) {
    const hz = options.spi.hz ?? 8_000_000;
    if (!(hz >= 1 && hz <= 20_000_000)) throw new DeviceConfigError("ENC28J60: SPI hz must be in [1, 20 MHz], got " + hz);
    if (options.spi.select === undefined) throw new DeviceConfigError("ENC28J60: the SPI options need a select (CS) pin");
    if (typeof options.delay !== "function") throw new DeviceConfigError("ENC28J60: a delay(ms) function is required");
    this.delay = options.delay;
    this.onInterrupt = options.onInterrupt ?? null;
    this.onLinkChange = options.onLinkChange ?? null;
    this.fullDuplex = options.fullDuplex === true;
    this.promiscuous = options.promiscuous === true;
    this.workarounds = options.workarounds ?? WORKAROUNDS_ALL;
    const atZero = (this.workarounds & WORKAROUND_5_RX_AT_ZERO) !== 0;
    this.rxStart = atZero ? RX_START : ALT_RX_START;
    this.rxEnd = atZero ? RX_END : ALT_RX_END;
    this.txStart = atZero ? TX_START : ALT_TX_START;
    this.capabilities = new DeviceCapabilities(Medium.Ethernet, ENC28J60_MTU, 4, new ChecksumCapabilities());
    const rx = new ArrayBuffer(FRAME_BUFFER);
    const tx = new ArrayBuffer(FRAME_BUFFER);
    this.rxBytes = new Uint8Array(rx);
    this.rxView = new DataView(rx);
    this.txBytes = new Uint8Array(tx);
    this.txView = new DataView(tx);
    for (let n = SPI_STEP; n <= SPI_MAX; n += SPI_STEP) {
      this.rxLow.push(this.rxBytes.subarray(0, n));
      this.txLow.push(this.txBytes.subarray(0, n));
    }
    for (let n = SPI_STEP; n <= FRAME_BUFFER - SPI_MAX; n += SPI_STEP) {
      this.rxHigh.push(this.rxBytes.subarray(SPI_MAX, SPI_MAX + n));
      this.txHigh.push(this.txBytes.subarray(SPI_MAX, SPI_MAX + n));
    }
    const mac = options.macAddress;
    for (let i = 0; i < 6; i++) this.macOctets[i] = mac.octet(i);

    this.spi = new options.spi.io({ ...options.spi, hz, mode: 0, active: 0 });
    try {
      this.revision = this.reset();
      // Errata 1 (B1, B4): MAC and MII registers are unreliable with an SPI clock below 8 MHz.
      if (this.revision <= R.REV_B4 && hz < 8_000_000) {
        throw new DeviceConfigError("ENC28J60 revision 0x" + this.revision.toString(16) + " needs an SPI clock of at least 8 MHz (errata 1)");
      }
      this.configure();
      if (options.interrupt) {
        this.interrupt = new options.interrupt.io({
          ...options.interrupt,
          mode: DIGITAL_INPUT_PULL_UP,
          edge: DIGITAL_FALLING,
          onReadable: enc28j60IntReadable,
          target: this,
        });
      }
    } catch (e) {
      this.spi.close();
      throw e;
    }
  }

  /** Disables receive and releases the SPI bus and the INT pin. Further calls throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.bfc(R.ECON1, R.ECON1_RXEN);
    } finally {
      if (this.interrupt !== null) this.interrupt.close();
      this.spi.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Device
  // ---------------------------------------------------------------------------------------------

  /** Lends the next good frame (at offset 0 of `rxBytes`) and returns its length, 0 if none. */
  receive(now: Instant): number {
    this.lastNow = now;
    if (this.closed) return 0;
    // Errata 6: EIR.PKTIF does not reliably show waiting packets; EPKTCNT does. (Without the
    // workaround, as drivers modelled on the datasheet's flow chart do, trust PKTIF.)
    if ((this.workarounds & WORKAROUND_6_EPKTCNT) === 0 && (this.rcr(R.EIR) & R.EIR_PKTIF) === 0) return 0;
    const st = this.stats;
    for (let guard = 0; guard < 256; guard++) {
      if (this.rcr(R.EPKTCNT) === 0) return 0;
      const at = this.nextPacket;
      this.wcr(R.ERDPTL, at & 0xff);
      this.wcr(R.ERDPTH, at >> 8);
      this.readBuffer(this.header);
      const h = this.header;
      const next = h[0] | (h[1] << 8);
      const count = h[2] | (h[3] << 8);
      const s2 = h[4];
      if ((next & 1) !== 0 || next < this.rxStart || next > this.rxEnd || count > R.MAX_FRAME_WITH_CRC + 4) {
        // A corrupt header (e.g. errata 14 with an even ERXRDPT): the ring cannot be trusted.
        st.rxRingResets++;
        this.resetReceive();
        return 0;
      }
      const len = count - 4;
      if ((s2 & R.RSV_CRC_ERROR) !== 0) st.rxCrcErrors++;
      else if ((s2 & R.RSV_RECEIVED_OK) === 0) st.rxOtherErrors++;
      else if ((s2 & R.RSV_LENGTH_CHECK_ERROR) !== 0 || len < 14 || len > ENC28J60_MTU) st.rxLengthErrors++;
      else {
        this.readFrame(len);
        this.release(next);
        st.rxFrames++;
        return len;
      }
      this.release(next);
    }
    return 0;
  }

  /**
   * Reserves the transmit buffer: returns 1 (octet 0 is the per-packet control byte), or -1
   * while the previous frame is still on the wire.
   */
  transmitBegin(now: Instant, len: number): number {
    this.lastNow = now;
    if (!(len >= 1 && len <= ENC28J60_MTU)) throw new DeviceUsageError("transmitBegin: length " + len + " outside [1, " + ENC28J60_MTU + "]");
    this.reserved = 0;
    if (this.closed) return -1;
    if (this.txInFlight && !this.pollTransmit()) {
      this.stats.txBusy++;
      return -1;
    }
    this.reserved = len;
    return 1;
  }

  /** Sends the `len` octets written at offset 1 of `txBytes`. */
  transmitCommit(len: number): void {
    if (this.reserved === 0) throw new DeviceUsageError("transmitCommit without a reservation");
    if (!(len >= 1 && len <= this.reserved)) throw new DeviceUsageError("transmitCommit: length " + len + " outside [1, " + this.reserved + "]");
    this.reserved = 0;
    if ((this.workarounds & WORKAROUND_12_TXRST) !== 0) this.resetTransmitLogic();
    const st = this.txStart;
    this.wcr(R.EWRPTL, st & 0xff);
    this.wcr(R.EWRPTH, st >> 8);
    this.txBytes[0] = 0x00; // per-packet control byte: padding and CRC as MACON3 says
    this.writeFrame(len + 1);
    const end = st + len;
    this.wcr(R.ETXNDL, end & 0xff);
    this.wcr(R.ETXNDH, end >> 8);
    this.bfc(R.EIR, R.EIR_TXIF | R.EIR_TXERIF);
    this.bfs(R.ECON1, R.ECON1_TXRTS);
    this.txInFlight = true;
    this.txLen = len;
    this.txRetries = 0;
    this.txStartedAt = this.lastNow;
  }

  // ---------------------------------------------------------------------------------------------
  // Interrupts, link, backup poll
  // ---------------------------------------------------------------------------------------------

  /**
   * The INT pin's falling edge (called by the Digital's `onReadable`; a host without an INT pin
   * may call it from a timer). INTIE is cleared first so INT goes high; the flags are serviced;
   * the host polls the interface in `onInterrupt`; INTIE is set again, and INT falls anew if
   * anything is still pending (datasheet §12.1).
   */
  handleInterrupt(): void {
    if (this.closed) return;
    this.stats.interrupts++;
    const gate = (this.workarounds & WORKAROUND_INTIE_GATING) !== 0;
    if (gate) this.bfc(R.EIE, R.EIE_INTIE);
    this.service();
    if (this.onInterrupt !== null) this.onInterrupt.call(this);
    if (gate) this.bfs(R.EIE, R.EIE_INTIE);
  }

  /**
   * The slow safety poll (every ~1 s): if INT is low but no callback came (a lost edge), runs the
   * interrupt path; re-reads the link status in case a link interrupt was missed. Without an
   * INT pin it services the chip every time.
   */
  backupPoll(now: Instant): void {
    this.lastNow = now;
    if (this.closed) return;
    if (this.interrupt === null) this.service();
    else if (this.interrupt.read() === 0) {
      this.stats.missedInterrupts++;
      this.handleInterrupt();
    }
    this.checkLink();
  }

  /** Reads PHSTAT2.LSTAT and reports a change through `onLinkChange`. Returns the link status. */
  checkLink(): boolean {
    const up = (this.phyRead(R.PHSTAT2) & R.PHSTAT2_LSTAT) !== 0;
    if (up !== this.linkUp) {
      this.linkUp = up;
      this.stats.linkChanges++;
      if (this.onLinkChange !== null) this.onLinkChange.call(this, up);
    }
    return up;
  }

  // ---------------------------------------------------------------------------------------------
  // Multicast hash filter
  // ---------------------------------------------------------------------------------------------

  /**
   * Programs the hash table filter from the interface's groups: IPv4 groups (int32, e.g.
   * 224.0.0.251) map to 01-00-5E + their low 23 bits (RFC 1112); each IPv6 unicast address adds
   * its solicited-node group ff02::1:ffXX:XXXX → 33-33-FF-XX-XX-XX (RFC 4291, RFC 2464); the
   * all-systems (224.0.0.1) and all-nodes (ff02::1) groups are always added. Call it at start-up
   * and whenever the interface joins or leaves a group or changes its addresses. The hash admits
   * other groups that share a bucket: the interface filters again in software.
   */
  setMulticastGroups(ipv4Groups: ArrayLike<number>, ipv6Addresses: ArrayLike<Ipv6Address>): void {
    this.hashTable.fill(0);
    this.addHash(0x01, 0x00, 0x5e, 0x00, 0x00, 0x01);
    this.addHash(0x33, 0x33, 0x00, 0x00, 0x00, 0x01);
    for (let i = 0; i < ipv4Groups.length; i++) {
      const g = ipv4Groups[i];
      this.addHash(0x01, 0x00, 0x5e, (g >> 16) & 0x7f, (g >> 8) & 0xff, g & 0xff);
    }
    for (let i = 0; i < ipv6Addresses.length; i++) {
      const w3 = ipv6Addresses[i].w3;
      this.addHash(0x33, 0x33, 0xff, (w3 >> 16) & 0xff, (w3 >> 8) & 0xff, w3 & 0xff);
    }
    this.applyFilters();
  }

  /** Adds one multicast MAC address to the hash table (then call `applyFilters`). */
  addMulticastAddress(mac: EthernetAddress): void {
    this.addHash(mac.octet(0), mac.octet(1), mac.octet(2), mac.octet(3), mac.octet(4), mac.octet(5));
  }

  /** Empties the hash table (then call `applyFilters`). */
  clearMulticastAddresses(): void {
    this.hashTable.fill(0);
  }

  /** Writes ERXFCON and EHT0..7 with receive disabled (datasheet: filters change only while RXEN = 0). */
  applyFilters(): void {
    const rxOn = (this.rcr(R.ECON1) & R.ECON1_RXEN) !== 0;
    if (rxOn) this.bfc(R.ECON1, R.ECON1_RXEN);
    this.writeFilters();
    if (rxOn) this.bfs(R.ECON1, R.ECON1_RXEN);
  }

  /** The hash table as programmed (a copy of EHT0..7, for tests and diagnostics). */
  multicastHashTable(out: Uint8Array): void {
    for (let i = 0; i < 8; i++) out[i] = this.hashTable[i];
  }

  // ---------------------------------------------------------------------------------------------
  // Initialisation
  // ---------------------------------------------------------------------------------------------

  /** Soft reset with its waits; returns EREVID or throws when nothing answers. */
  private reset(): number {
    this.bank = -1;
    if ((this.workarounds & WORKAROUND_19_POWER_SAVE) !== 0) {
      // Errata 19: SRC is ignored in power save; leave it and let the regulator settle (≥ 300 µs).
      this.bfc(R.ECON2, R.ECON2_PWRSV);
      this.delay(1);
    }
    this.cmd1[0] = R.OP_SRC;
    this.spi.write(this.cmd1);
    this.spi.flush(true);
    this.bank = 0;
    if ((this.workarounds & WORKAROUND_2_RESET_WAIT) !== 0) {
      // Errata 2: CLKRDY is set too early after SRC; wait 1 ms instead of polling it.
      this.delay(1);
    } else {
      for (let i = 0; i < 1000 && (this.rcr(R.ESTAT) & R.ESTAT_CLKRDY) === 0; i++);
    }
    const rev = this.rcr(R.EREVID);
    if (rev === 0x00 || rev === 0xff) {
      throw new Enc28j60Error(
        "no ENC28J60 answers on the SPI bus (EREVID reads 0x" + (rev < 16 ? "0" : "") + rev.toString(16) +
          "): check CS, SCK, MOSI/MISO wiring, the 3.3 V supply and the SPI port",
      );
    }
    return rev;
  }

  private configure(): void {
    const full = this.fullDuplex;
    this.wcr(R.ECON1, 0); // bank 0, receive and transmit off
    this.bank = 0;
    this.bfs(R.ECON2, R.ECON2_AUTOINC);
    this.programRing();
    this.wcr(R.ETXSTL, this.txStart & 0xff);
    this.wcr(R.ETXSTH, this.txStart >> 8);
    this.writeFilters();
    // MAC (bank 2).
    this.wcr(R.MACON1, R.MACON1_MARXEN | (full ? R.MACON1_TXPAUS | R.MACON1_RXPAUS : 0));
    this.wcr(R.MACON3, R.MACON3_PADCFG0 | R.MACON3_TXCRCEN | R.MACON3_FRMLNEN | (full ? R.MACON3_FULDPX : 0));
    this.wcr(R.MACON4, full ? 0 : R.MACON4_DEFER);
    this.wcr(R.MAMXFLL, R.MAX_FRAME_WITH_CRC & 0xff);
    this.wcr(R.MAMXFLH, R.MAX_FRAME_WITH_CRC >> 8);
    this.wcr(R.MABBIPG, full ? 0x15 : 0x12);
    this.wcr(R.MAIPGL, 0x12);
    this.wcr(R.MAIPGH, 0x0c);
    // MAC address (bank 3): MAADR1 holds the first octet.
    const m = this.macOctets;
    this.wcr(R.MAADR1, m[0]);
    this.wcr(R.MAADR2, m[1]);
    this.wcr(R.MAADR3, m[2]);
    this.wcr(R.MAADR4, m[3]);
    this.wcr(R.MAADR5, m[4]);
    this.wcr(R.MAADR6, m[5]);
    // PHY: duplex must agree with MACON3.FULDPX.
    this.phyWrite(R.PHCON1, full ? R.PHCON1_PDPXMD : 0);
    // Errata 9: in half duplex the PHY loops our own frames back unless HDLDIS is set.
    this.phyWrite(R.PHCON2, !full && (this.workarounds & WORKAROUND_9_HDLDIS) !== 0 ? R.PHCON2_HDLDIS : 0);
    // LEDA link status, LEDB transmit/receive activity, stretched (errata 11: not mode 1110).
    this.phyWrite(R.PHLCON, 0x3476);
    this.phyWrite(R.PHIE, R.PHIE_PGEIE | R.PHIE_PLNKIE);
    this.phyRead(R.PHIR); // clears a stale link flag
    this.bfc(R.EIR, R.EIR_DMAIF | R.EIR_TXIF | R.EIR_TXERIF | R.EIR_RXERIF);
    this.wcr(R.EIE, R.EIE_INTIE | R.EIE_PKTIE | R.EIE_LINKIE | R.EIE_TXIE | R.EIE_TXERIE | R.EIE_RXERIE);
    this.linkUp = (this.phyRead(R.PHSTAT2) & R.PHSTAT2_LSTAT) !== 0;
    this.bfs(R.ECON1, R.ECON1_RXEN);
  }

  /** ERXST, ERXND, ERXRDPT and ERDPT for an empty ring (receive must be disabled). */
  private programRing(): void {
    this.wcr(R.ERXSTL, this.rxStart & 0xff);
    this.wcr(R.ERXSTH, this.rxStart >> 8);
    this.wcr(R.ERXNDL, this.rxEnd & 0xff);
    this.wcr(R.ERXNDH, this.rxEnd >> 8);
    // Errata 14: ERXRDPT odd; for an empty ring that is ERXND. Low octet first: it is latched.
    const rd = (this.workarounds & WORKAROUND_14_ODD_RXRDPT) !== 0 ? this.rxEnd : this.rxStart;
    this.wcr(R.ERXRDPTL, rd & 0xff);
    this.wcr(R.ERXRDPTH, rd >> 8);
    this.wcr(R.ERDPTL, this.rxStart & 0xff);
    this.wcr(R.ERDPTH, this.rxStart >> 8);
    this.nextPacket = this.rxStart;
  }

  private writeFilters(): void {
    let any = 0;
    for (let i = 0; i < 8; i++) {
      this.wcr(R.EHT0 + i, this.hashTable[i]);
      any |= this.hashTable[i];
    }
    this.wcr(
      R.ERXFCON,
      this.promiscuous ? 0 : R.ERXFCON_UCEN | R.ERXFCON_CRCEN | R.ERXFCON_BCEN | (any !== 0 ? R.ERXFCON_HTEN : 0),
    );
  }

  private addHash(a: number, b: number, c: number, d: number, e: number, f: number): void {
    const o = this.header; // idle outside receive: a 6-octet scratch

    o[0] = a;
    o[1] = b;
    o[2] = c;
    o[3] = d;
    o[4] = e;
    o[5] = f;
    const k = R.hashTableIndex(o, 0);
    this.hashTable[k >> 3] |= 1 << (k & 7);
  }

  // ---------------------------------------------------------------------------------------------
  // Receive helpers
  // ---------------------------------------------------------------------------------------------

  /**
   * Frees the ring up to the packet that starts at `next` and decrements EPKTCNT.
   * Errata 14: ERXRDPT must be odd: `next - 1`, or ERXND when `next` is ERXST.
   */
  private release(next: number): void {
    this.nextPacket = next;
    let rd = next;
    if ((this.workarounds & WORKAROUND_14_ODD_RXRDPT) !== 0) rd = next === this.rxStart ? this.rxEnd : next - 1;
    this.wcr(R.ERXRDPTL, rd & 0xff);
    this.wcr(R.ERXRDPTH, rd >> 8);
    this.bfs(R.ECON2, R.ECON2_PKTDEC);
  }

  /** Resets the receive logic and empties the ring (after a corrupt header). Frames waiting are lost. */
  private resetReceive(): void {
    this.bfc(R.ECON1, R.ECON1_RXEN);
    this.bfs(R.ECON1, R.ECON1_RXRST);
    this.bfc(R.ECON1, R.ECON1_RXRST);
    this.programRing();
    this.bfc(R.EIR, R.EIR_RXERIF);
    this.bfs(R.ECON1, R.ECON1_RXEN);
  }

  /** RBM of `len` frame octets into `rxBytes` (rounded up to the 32-octet step, ≤ 1024 per call). */
  private readFrame(len: number): void {
    const n = (len + SPI_STEP - 1) & ~(SPI_STEP - 1);
    const spi = this.spi;
    this.cmd1[0] = R.OP_RBM;
    spi.write(this.cmd1);
    if (n <= SPI_MAX) spi.read(this.rxLow[n / SPI_STEP - 1]);
    else {
      spi.read(this.rxLow[SPI_MAX / SPI_STEP - 1]);
      spi.read(this.rxHigh[(n - SPI_MAX) / SPI_STEP - 1]);
    }
    spi.flush(true);
  }

  /** RBM into a small array. */
  private readBuffer(into: Uint8Array): void {
    this.cmd1[0] = R.OP_RBM;
    this.spi.write(this.cmd1);
    this.spi.read(into);
    this.spi.flush(true);
  }

  // ---------------------------------------------------------------------------------------------
  // Transmit helpers
  // ---------------------------------------------------------------------------------------------

  /** WBM of the control byte and frame (`n` octets from `txBytes[0]`, rounded up to 32). */
  private writeFrame(n: number): void {
    n = (n + SPI_STEP - 1) & ~(SPI_STEP - 1);
    const spi = this.spi;
    this.cmd1[0] = R.OP_WBM;
    spi.write(this.cmd1);
    if (n <= SPI_MAX) spi.write(this.txLow[n / SPI_STEP - 1]);
    else {
      spi.write(this.txLow[SPI_MAX / SPI_STEP - 1]);
      spi.write(this.txHigh[(n - SPI_MAX) / SPI_STEP - 1]);
    }
    spi.flush(true);
  }

  /** Errata 12: set and clear ECON1.TXRST, then clear the transmit flags it may raise. */
  private resetTransmitLogic(): void {
    this.bfs(R.ECON1, R.ECON1_TXRST);
    this.bfc(R.ECON1, R.ECON1_TXRST);
    this.bfc(R.EIR, R.EIR_TXIF | R.EIR_TXERIF);
  }

  /**
   * Checks the frame in flight: returns true when the transmitter is free. Polls TXRTS a few
   * times (a frame takes at most 1.2 ms on the wire), handles a completion or an abort, and gives
   * up on a frame stuck longer than `TX_TIMEOUT_MS`.
   */
  private pollTransmit(): boolean {
    if (!this.txInFlight) return true;
    for (let i = 0; i < TX_SPIN_LIMIT; i++) {
      if ((this.rcr(R.ECON1) & R.ECON1_TXRTS) === 0) {
        this.finishTransmit();
        if (!this.txInFlight) return true;
      }
    }
    if (((this.lastNow - this.txStartedAt) | 0) >= TX_TIMEOUT_MS) {
      this.stats.txTimeouts++;
      this.bfc(R.ECON1, R.ECON1_TXRTS);
      this.resetTransmitLogic();
      this.txInFlight = false;
      return true;
    }
    return false;
  }

  /** TXRTS has cleared: a success, or an abort to count or retry. */
  private finishTransmit(): void {
    const w = this.workarounds;
    if ((this.rcr(R.EIR) & R.EIR_TXERIF) === 0) {
      this.bfc(R.EIR, R.EIR_TXIF);
      this.stats.txFrames++;
      this.txInFlight = false;
      return;
    }
    let late: boolean;
    if ((w & WORKAROUND_15_TSV_LATECOL) !== 0) {
      // Errata 15: ESTAT.LATECOL is unreliable; bit 29 of the transmit status vector is not.
      const at = this.txStart + this.txLen + 1;
      this.wcr(R.ERDPTL, at & 0xff);
      this.wcr(R.ERDPTH, at >> 8);
      this.readBuffer(this.tsv);
      late = (this.tsv[3] & R.TSV_LATE_COLLISION) !== 0;
    } else {
      late = (this.rcr(R.ESTAT) & R.ESTAT_LATECOL) !== 0;
    }
    // Errata 12: after an abort the transmit logic may stall: reset it, then clear TXERIF.
    if ((w & WORKAROUND_12_TXRST) !== 0) this.resetTransmitLogic();
    else this.bfc(R.EIR, R.EIR_TXIF | R.EIR_TXERIF);
    this.bfc(R.ESTAT, R.ESTAT_TXABRT | R.ESTAT_LATECOL);
    // Errata 13: a link pulse taken for a collision aborts the frame late; send it again (the
    // frame is still in the transmit area, ETXST/ETXND unchanged).
    if (late && (w & WORKAROUND_13_LATE_COLLISION_RETRY) !== 0 && this.txRetries < MAX_TX_RETRIES) {
      this.txRetries++;
      this.stats.txLateCollisionRetries++;
      this.txStartedAt = this.lastNow;
      this.bfs(R.ECON1, R.ECON1_TXRTS);
      return;
    }
    this.stats.txAborts++;
    this.txInFlight = false;
  }

  /** The interrupt flags (EIR masked by what we enabled), handled; INT gating is the caller's. */
  private service(): void {
    const eir = this.rcr(R.EIR);
    if ((eir & R.EIR_LINKIF) !== 0) {
      this.phyRead(R.PHIR); // reading PHIR clears PLNKIF and EIR.LINKIF
      this.checkLink();
    }
    if ((eir & (R.EIR_TXIF | R.EIR_TXERIF)) !== 0) this.pollTransmit();
    if ((eir & R.EIR_RXERIF) !== 0) {
      // The chip dropped an arriving frame (ring full or EPKTCNT = 255) and left the ring as it
      // was: frames already stored are read normally; only the flag needs clearing.
      this.stats.rxOverflows++;
      this.bfc(R.EIR, R.EIR_RXERIF);
      this.bfc(R.ESTAT, R.ESTAT_BUFER);
    }
    if ((eir & R.EIR_DMAIF) !== 0) this.bfc(R.EIR, R.EIR_DMAIF);
  }

  // ---------------------------------------------------------------------------------------------
  // Register access: one instruction per chip-select frame
  // ---------------------------------------------------------------------------------------------

  /** Selects the bank of `name` (a banked register), with BFC/BFS on ECON1.BSEL, cached. */
  private selectBank(name: number): void {
    if ((name & R.REG_ADDR_MASK) >= R.REG_COMMON_FIRST) return;
    const b = (name >> 5) & 3;
    if (b === this.bank) return;
    const spi = this.spi;
    const c = this.cmd2;
    c[0] = R.OP_BFC | R.ECON1;
    c[1] = R.ECON1_BSEL;
    spi.write(c);
    spi.flush(true);
    if (b !== 0) {
      c[0] = R.OP_BFS | R.ECON1;
      c[1] = b;
      spi.write(c);
      spi.flush(true);
    }
    this.bank = b;
  }

  /** RCR: ETH registers answer in the second octet, MAC/MII registers after a dummy octet. */
  private rcr(name: number): number {
    this.selectBank(name);
    const spi = this.spi;
    let v: number;
    if ((name & R.REG_MAC_MII) !== 0) {
      const c = this.cmd3;
      c[0] = R.OP_RCR | (name & R.REG_ADDR_MASK);
      c[1] = 0;
      c[2] = 0;
      spi.transfer(c);
      v = c[2];
    } else {
      const c = this.cmd2;
      c[0] = R.OP_RCR | (name & R.REG_ADDR_MASK);
      c[1] = 0;
      spi.transfer(c);
      v = c[1];
    }
    spi.flush(true);
    return v;
  }

  private wcr(name: number, value: number): void {
    this.selectBank(name);
    this.op2(R.OP_WCR | (name & R.REG_ADDR_MASK), value);
  }

  /** BFS: ETH registers only (the common registers are the only ones used). */
  private bfs(name: number, mask: number): void {
    this.selectBank(name);
    this.op2(R.OP_BFS | (name & R.REG_ADDR_MASK), mask);
  }

  private bfc(name: number, mask: number): void {
    this.selectBank(name);
    this.op2(R.OP_BFC | (name & R.REG_ADDR_MASK), mask);
  }

  private op2(opcode: number, data: number): void {
    const c = this.cmd2;
    c[0] = opcode;
    c[1] = data;
    this.spi.write(c);
    this.spi.flush(true);
  }

  /** Waits for MISTAT.BUSY to clear, bounded; counts a time-out. */
  private miiWait(): void {
    for (let i = 0; i < MII_POLL_LIMIT; i++) if ((this.rcr(R.MISTAT) & R.MISTAT_BUSY) === 0) return;
    this.stats.miiTimeouts++;
  }

  /** A PHY register over MII (datasheet §3.3.1). */
  private phyRead(reg: number): number {
    this.wcr(R.MIREGADR, reg);
    this.wcr(R.MICMD, R.MICMD_MIIRD);
    this.miiWait();
    this.wcr(R.MICMD, 0);
    return this.rcr(R.MIRDL) | (this.rcr(R.MIRDH) << 8);
  }

  /** Writes a PHY register over MII (datasheet §3.3.2): MIWRH starts the write. */
  private phyWrite(reg: number, value: number): void {
    this.wcr(R.MIREGADR, reg);
    this.wcr(R.MIWRL, value & 0xff);
    this.wcr(R.MIWRH, (value >> 8) & 0xff);
    this.miiWait();
  }
}
