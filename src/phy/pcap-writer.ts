/**
 * A device wrapper that records frames in the libpcap format (smoltcp's `PcapWriter`), for
 * Wireshark, tshark or tcpdump to read.
 *
 * The classic format ("LibpcapFileFormat" on the Wireshark wiki, and
 * draft-ietf-opsawg-pcap): a 24-octet global header, then per frame a 16-octet record header
 * followed by the frame's octets.
 *
 * ```text
 * global header                           record header
 *  0  magic number   0xa1b2c3d4            0  ts_sec    seconds
 *  4  version major  2                     4  ts_usec   microseconds (0..999999)
 *  6  version minor  4                     8  incl_len  octets recorded
 *  8  thiszone       0 (UTC)              12  orig_len  octets of the frame
 * 12  sigfigs        0
 * 16  snaplen        65535
 * 20  network        1 (Ethernet) or 101 (raw IP)
 * ```
 *
 * The format lets the writer pick the byte order; a reader tells which from the magic number.
 * This writer always writes **little-endian**, whatever the host, so a capture is the same byte
 * for byte on an ESP32 and on a PC. The magic 0xa1b2c3d4 means microsecond timestamps.
 *
 * **Time.** The record's time comes from the `now` given to `receive` or `transmitBegin`: the
 * stack's int32 millisecond clock, read as an *unsigned* 32-bit count of milliseconds since an
 * epoch the host chose (for a clock that counts from boot, the capture shows times since boot
 * near 1970-01-01). Read that way the int32 wrap (from 2^31 - 1 to -2^31) is invisible: time
 * goes on from 2^31 ms. Only the unsigned wrap, every 2^32 ms (49.7 days), sends the capture's
 * clock back to 0. The conversion is done with integer arithmetic only.
 *
 * **Cost.** The global header is written once, by the constructor. Each record header is built
 * in a 16-octet buffer made in the constructor, and the frame's octets are passed to the sink as
 * `(bytes, offset, length)` straight from the device's buffer: the writer allocates nothing per
 * frame. The sink must have consumed (written or copied) the octets when `write` returns: both
 * the header buffer and the frame are reused.
 *
 * What is recorded depends on the mode and on where the writer sits in a chain; see
 * `fault-injector.ts` ("Wrapping order"). Received frames are recorded when `receive` lends
 * them, transmitted ones when they are committed, just before the inner device sends them.
 */

import type { Instant } from "../time.js";
import { checkDeviceOption, Medium, type Device } from "./device.js";
import { ObservingDevice } from "./observer.js";

/** Which frames to record: bit flags. */
export const enum PcapMode {
  /** Received frames only. */
  Rx = 1,
  /** Transmitted frames only. */
  Tx = 2,
  /** Both directions. */
  Both = 3,
}

/** Link-layer header types (tcpdump.org "LINKTYPE_" values) this writer uses. */
export const enum PcapLinkType {
  /** Ethernet II frames. */
  Ethernet = 1,
  /** Bare IPv4 or IPv6 packets. */
  Ip = 101,
}

/** The magic number of a classic pcap file with microsecond timestamps. */
export const PCAP_MAGIC = 0xa1b2c3d4;
/** Length of the global header. */
export const PCAP_GLOBAL_HEADER_LEN = 24;
/** Length of a record header. */
export const PCAP_RECORD_HEADER_LEN = 16;
/** The snapshot length declared in the global header: no frame here is longer. */
export const PCAP_SNAPLEN = 65535;

/** Where a PcapWriter sends its octets: a file, a socket, a test's buffer. */
export interface PcapSink {
  /**
   * Takes `len` octets at `off` in `bytes`. Must consume them before returning: the writer
   * reuses the memory.
   */
  write(bytes: Uint8Array, off: number, len: number): void;
}

/** Wraps a device and records the frames it passes to a `PcapSink`. */
export class PcapWriter extends ObservingDevice {
  /** Where the capture goes. */
  readonly sink: PcapSink;
  /** Which directions are recorded. */
  readonly mode: PcapMode;
  /** Records written. */
  framesRecorded = 0;

  private readonly record: Uint8Array;
  private readonly recordView: DataView;

  /**
   * Wraps `inner` and writes the global header to `sink` at once. The link type follows the
   * device's medium (Ethernet: 1, IP: 101). Throws `DeviceConfigError` for a mode other than
   * `Rx`, `Tx` or `Both`.
   */
  constructor(inner: Device, sink: PcapSink, mode: PcapMode = PcapMode.Both) {
    checkDeviceOption("PcapWriter mode", mode, PcapMode.Rx, PcapMode.Both);
    super(inner);
    this.sink = sink;
    this.mode = mode;
    this.record = new Uint8Array(PCAP_RECORD_HEADER_LEN);
    this.recordView = new DataView(this.record.buffer);

    const header = new Uint8Array(PCAP_GLOBAL_HEADER_LEN);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, PCAP_MAGIC, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setInt32(8, 0, true);
    dv.setUint32(12, 0, true);
    dv.setUint32(16, PCAP_SNAPLEN, true);
    dv.setUint32(20, inner.capabilities.medium === Medium.Ip ? PcapLinkType.Ip : PcapLinkType.Ethernet, true);
    sink.write(header, 0, PCAP_GLOBAL_HEADER_LEN);
  }

  /** Writes a record header and the frame's octets. */
  private write(now: Instant, bytes: Uint8Array, off: number, len: number): void {
    // `now` as an unsigned count of milliseconds, hi * 65536 + lo, divided by 1000 in two steps
    // so that every intermediate value stays a small integer.
    const hi = now >>> 16;
    const lo = now & 0xffff;
    const secHi = (hi / 1000) | 0; // < 66
    const rem = (hi - secHi * 1000) * 65536 + lo; // < 1000 * 65536
    const secLo = (rem / 1000) | 0;
    const ms = rem - secLo * 1000;
    const incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    const dv = this.recordView;
    dv.setInt32(0, secHi * 65536 + secLo, true);
    dv.setInt32(4, ms * 1000, true);
    dv.setInt32(8, incl, true);
    dv.setInt32(12, len, true);
    const sink = this.sink;
    sink.write(this.record, 0, PCAP_RECORD_HEADER_LEN);
    sink.write(bytes, off, incl);
    this.framesRecorded++;
  }

  /** Records the frame if the mode covers its direction. */
  protected observe(now: Instant, tx: boolean, off: number, len: number): void {
    if (tx) {
      if ((this.mode & PcapMode.Tx) !== 0) this.write(now, this.txBytes, off, len);
    } else if ((this.mode & PcapMode.Rx) !== 0) {
      this.write(now, this.rxBytes, off, len);
    }
  }
}
