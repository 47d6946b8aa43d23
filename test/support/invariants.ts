/**
 * Invariants of a TCP socket that hold after every `poll`, whatever arrived (gVisor's composable
 * checkers): the reliability fuzzer (test/reliability/) checks them after every frame. They read
 * the socket's private state through a cast, which is fine in a test. Portable; the passing path
 * allocates nothing (only a violation builds a message), so an XS allocation case may call it.
 *
 * - Send sequence space (RFC 9293 §3.3.1): SND.UNA =< SND.NXT =< the highest SND.NXT; what was
 *   sent and not acknowledged is at most the queued data plus a SYN and a FIN; SND.WND is a
 *   window the field and shift can say.
 * - Rings: 0 =< len =< capacity, the read index inside the buffer.
 * - Assembler: at most `maxGaps` ranges, each non-empty, sorted, disjoint and not adjacent, the
 *   first after offset 0 (offset 0 would have been committed), the last inside the receive
 *   ring's free space (out-of-order data is written there).
 * - An out-of-order FIN lies at or past RCV.NXT.
 */
import type { RingBuffer } from "../../src/storage/ring-buffer.js";
import type { Assembler } from "../../src/storage/assembler.js";
import { TcpState, type TcpSocket } from "../../src/socket/tcp/socket.js";

interface SenderView {
  una: number;
  nxt: number;
  max: number;
  wnd: number;
  iss: number;
  shift: number;
  finQueued: boolean;
}
interface ReceiverView {
  nxt: number;
  finValid: boolean;
  finSeq: number;
  shift: number;
}
interface RingView {
  readAt: number;
  length: number;
  capacity: number;
}
interface AssemblerView {
  count: number;
  maxGaps: number;
  ranges: Int32Array;
}

const sub = (a: number, b: number): number => (a - b) | 0;

function ringProblem(r: RingBuffer): string | null {
  const v = r as unknown as RingView;
  if (v.length < 0 || v.length > v.capacity) return "ring length " + v.length + " outside [0, " + v.capacity + "]";
  if (v.capacity > 0 && (v.readAt < 0 || v.readAt >= v.capacity)) return "ring read index " + v.readAt + " outside [0, " + v.capacity + ")";
  return null;
}

function assemblerProblem(a: Assembler, window: number): string | null {
  const v = a as unknown as AssemblerView;
  const n = v.count;
  if (n < 0 || n > v.maxGaps) return "assembler holds " + n + " ranges, at most " + v.maxGaps;
  const r = v.ranges;
  let prevEnd = 0;
  for (let i = 0; i < n; i++) {
    const s = r[2 * i];
    const e = r[2 * i + 1];
    if (!(s < e)) return "assembler range " + i + " empty: " + a.toString();
    if (i === 0 ? s <= 0 : s <= prevEnd) return "assembler ranges not sorted, disjoint and apart: " + a.toString();
    prevEnd = e;
  }
  if (n > 0 && prevEnd > window) return "assembler range ends at " + prevEnd + " beyond the free space " + window + ": " + a.toString();
  return null;
}

/** The first invariant `sock` breaks, or null. */
export function tcpInvariantProblem(sock: TcpSocket): string | null {
  const s = sock as unknown as { snd: SenderView; rcv: ReceiverView; st: TcpState };
  const snd = s.snd;
  const rcv = s.rcv;
  let p = ringProblem(sock.tx) ?? ringProblem(sock.rx);
  if (p !== null) return p;
  p = assemblerProblem(sock.assembler, sock.rx.window());
  if (p !== null) return p;
  const st = s.st;
  if (st === TcpState.Closed || st === TcpState.Listen) {
    if (!sock.assembler.isEmpty() && st === TcpState.Listen) return "a listening socket holds out-of-order data";
    return null;
  }
  if (sub(snd.nxt, snd.una) < 0) return "SND.NXT " + snd.nxt + " before SND.UNA " + snd.una;
  if (sub(snd.max, snd.nxt) < 0) return "SND.NXT " + snd.nxt + " past the highest SND.NXT " + snd.max;
  const synUnacked = snd.una === snd.iss ? 1 : 0;
  const inFlight = sub(snd.max, snd.una);
  const limit = sock.tx.len() + synUnacked + (snd.finQueued ? 1 : 0);
  if (inFlight > limit) return "in flight " + inFlight + " octets beyond what was queued (" + limit + ")";
  if (snd.wnd < 0 || snd.wnd > 0xffff << 14) return "SND.WND " + snd.wnd + " impossible";
  if (snd.shift < 0 || snd.shift > 14 || rcv.shift < 0 || rcv.shift > 14) return "window shift out of range";
  if (rcv.finValid && sub(rcv.finSeq, rcv.nxt) < 0) return "out-of-order FIN " + rcv.finSeq + " before RCV.NXT " + rcv.nxt;
  return null;
}

/** Every socket of `sockets` that is a TCP socket: the first problem found, with its index, or null. */
export function tcpInvariantsOf(sockets: readonly TcpSocket[]): string | null {
  for (let i = 0; i < sockets.length; i++) {
    const p = tcpInvariantProblem(sockets[i]);
    if (p !== null) return "socket " + i + ": " + p;
  }
  return null;
}
