// The send side alone (src/socket/tcp/send.ts): the segment size of RFC 9293 §3.7.1, the choice
// of the next segment with sender SWS avoidance (§3.8.6.2.1) and Nagle (§3.7.4), FIN placement,
// duplicate ACKs (RFC 5681 §3.2), the window-update rule (§3.10.7.4) and go-back-N. Sequence
// numbers start just below the int32 wrap, so every test crosses it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AckResult, TCP_DEFAULT_MSS, TCP_DEFAULT_MSS_V6, TCP_MIN_PEER_MSS, TcpSender } from "../../../src/socket/tcp/send.js";
import { TcpControl, TcpRepr } from "../../../src/wire/tcp.js";

const ISS = (0x7fffffff - 20) | 0;
const IRS = 5000;
const T0 = 1000;
const DATA = new Uint8Array(256);

/** A sender whose SYN went out and was acknowledged: SND.UNA = SND.NXT = ISS + 1, SND.WND = `wnd`, peer MSS `mss`. */
function established(capacity: number, wnd: number, mss: number): TcpSender {
  const snd = new TcpSender(capacity);
  snd.open(ISS);
  snd.acceptSyn(IRS, wnd, mss, false, 0);
  snd.pendSeq = ISS;
  snd.sent(T0, 1, false); // the SYN
  snd.una = (ISS + 1) | 0; // the handshake's ACK (the socket sets SND.UNA itself there)
  return snd;
}

/** An ACK from the peer: SEG.SEQ `seq`, SEG.ACK `ack`, window `wnd`. */
function ackSeg(seq: number, ack: number, wnd: number, ctl = TcpControl.None): TcpRepr {
  const t = new TcpRepr();
  t.control = ctl;
  t.seqNumber = seq | 0;
  t.hasAck = true;
  t.ackNumber = ack | 0;
  t.windowLen = wnd;
  return t;
}

test("§3.7.1: the peer's MSS option, its floor and its defaults; the segment size is the least of three", () => {
  const snd = new TcpSender(64);
  snd.acceptSyn(IRS, 1000, 0, false, 0);
  assert.is(snd.remoteMss, TCP_DEFAULT_MSS, "no option over IPv4: 536");
  snd.acceptSyn(IRS, 1000, 0, true, 0);
  assert.is(snd.remoteMss, TCP_DEFAULT_MSS_V6, "no option over IPv6: 1220");
  snd.acceptSyn(IRS, 1000, 10, false, 0);
  assert.is(snd.remoteMss, TCP_MIN_PEER_MSS, "a tiny MSS is raised to 48");
  snd.acceptSyn(IRS, 1000, 1460, false, 0);
  assert.is(snd.effMss(1500), 1460, "the peer's");
  assert.is(snd.effMss(1000), 1000, "the link's");
  assert.ok(snd.lowerPathMss(600, 1500), "the path's, once ICMP says so");
  assert.is(snd.effMss(1500), 600);
  assert.not.ok(snd.lowerPathMss(700, 1500), "never raised by ICMP");
  assert.not.ok(snd.lowerPathMss(599, 500), "lower, but the link is smaller still: segments do not shrink");
  assert.is(snd.pathMss, 599);
  assert.is(snd.effMss(0), 1, "never 0");
});

test("segmentAt: limited by the window and the segment size; the FIN follows the last queued octet", () => {
  const snd = established(256, 1000, 48);
  snd.tx.enqueueSlice(DATA, 0, 100);
  const mss = snd.effMss(1500);
  assert.ok(snd.segmentAt(snd.nxt, 1000, mss, false));
  assert.equal([snd.pendSeq, snd.pendLen, snd.pendCtl], [snd.una, 48, TcpControl.None], "one MSS from SND.UNA");
  // `finReady`: the FIN is queued (`close()`) and the state lets it go (not in SYN-RECEIVED).
  assert.ok(snd.segmentAt((snd.nxt + 96) | 0, 1000, mss, false));
  assert.equal([snd.pendLen, snd.pendCtl], [4, TcpControl.None], "the rest, but no FIN: none ready");
  assert.ok(snd.segmentAt((snd.nxt + 96) | 0, 1000, mss, true));
  assert.equal([snd.pendLen, snd.pendCtl], [4, TcpControl.Fin], "the rest with the FIN");
  assert.ok(snd.segmentAt(snd.nxt, 10, mss, true));
  assert.equal([snd.pendLen, snd.pendCtl], [10, TcpControl.None], "ten octets of window");
  assert.ok(snd.segmentAt((snd.nxt + 100) | 0, 0, mss, true));
  assert.equal([snd.pendLen, snd.pendCtl], [0, TcpControl.Fin], "the FIN alone goes even into a closed window");
  assert.not.ok(snd.segmentAt(snd.nxt, 0, mss, false), "a closed window and no FIN: nothing");
  assert.not.ok(snd.segmentAt((snd.nxt + 101) | 0, 1000, mss, true), "past the FIN: nothing");
});

test("§3.7.4 Nagle and §3.8.6.2.1 sender SWS avoidance", () => {
  const snd = established(256, 1000, 48);
  const mss = snd.effMss(1500);
  snd.tx.enqueueSlice(DATA, 0, 10);
  assert.ok(snd.segmentAt(snd.nxt, 1000, mss, false));
  assert.ok(snd.mayTransmit(snd.pendLen, mss, true), "nothing in flight and all queued data fits: (2)");
  snd.sent(T0, snd.pendLen, false);
  snd.tx.enqueueSlice(DATA, 0, 10);
  assert.ok(snd.segmentAt(snd.nxt, 1000 - 10, mss, false));
  assert.not.ok(snd.mayTransmit(snd.pendLen, mss, true), "Nagle: a small segment waits while data is unacknowledged");
  assert.ok(snd.mayTransmit(snd.pendLen, mss, false), "without Nagle: all queued data goes");
  snd.tx.enqueueSlice(DATA, 0, 48);
  assert.ok(snd.segmentAt(snd.nxt, 1000 - 10, mss, false));
  assert.is(snd.pendLen, 48);
  assert.ok(snd.mayTransmit(snd.pendLen, mss, true), "a full-sized segment always goes: (1)");
  // A small window with much more queued: held unless it is half the largest window seen.
  assert.ok(snd.segmentAt(snd.nxt, 20, mss, false));
  assert.not.ok(snd.mayTransmit(snd.pendLen, mss, false), "20 of 58 queued octets into a window that was 1000");
  snd.maxWnd = 40;
  assert.ok(snd.mayTransmit(snd.pendLen, mss, false), "(3): at least half the largest window");
  // Data sent again after a go-back-N is never held.
  snd.maxWnd = 1000;
  snd.max = (snd.nxt + 20) | 0;
  assert.ok(snd.mayTransmit(snd.pendLen, mss, true));
});

test("RFC 5681 §3.2: the third duplicate ACK, and what is not a duplicate", () => {
  const snd = established(256, 1000, 48);
  snd.tx.enqueueSlice(DATA, 0, 100);
  snd.pendSeq = snd.una;
  snd.sent(T0, 100, false);
  const una = snd.una;
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 1000), 0), AckResult.None, "first duplicate");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 1000), 5), AckResult.None, "carries data: not a duplicate");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 999), 0), AckResult.None, "another window: not a duplicate");
  assert.is(snd.dupAcks, 1);
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 999), 0), AckResult.None, "second");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 999, TcpControl.Psh), 0), AckResult.ThirdDuplicate, "third (PSH is no SYN or FIN)");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, una, 999), 0), AckResult.None, "the fourth says nothing new");
  assert.is(snd.dupAcks, 4);
  assert.is(snd.onAck(T0 + 5, ackSeg(IRS + 1, (una + 30) | 0, 999), 0), AckResult.Advanced);
  assert.equal([snd.dupAcks, snd.tx.len(), snd.una], [0, 70, (una + 30) | 0], "30 octets freed from the ring");
});

test("the FIN's acknowledgment, and §3.10.7.4's window-update rule", () => {
  const snd = established(256, 1000, 48);
  snd.tx.enqueueSlice(DATA, 0, 20);
  snd.finQueued = true;
  snd.pendSeq = snd.una;
  snd.sent(T0, 21, false); // 20 octets and the FIN
  const una = snd.una;
  // An old segment (SEG.SEQ < SND.WL1) cannot change the window.
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, (una + 10) | 0, 2000), 0), AckResult.Advanced);
  assert.is(snd.wnd, 2000);
  assert.is(snd.onAck(T0, ackSeg(IRS, (una + 10) | 0, 0), 0), AckResult.None);
  assert.is(snd.wnd, 2000, "SND.WL1 > SEG.SEQ: ignored");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, (una + 20) | 0, 500), 0), AckResult.Advanced, "the data, not the FIN");
  assert.equal([snd.wnd, snd.maxWnd, snd.wl2], [500, 2000, (una + 20) | 0], "SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK: taken");
  assert.is(snd.onAck(T0, ackSeg(IRS + 1, (una + 21) | 0, 500), 0), AckResult.FinAcked);
  assert.ok(snd.tx.isEmpty());
});

test("go-back-N: an RTO retransmission moves SND.NXT back, a late ACK moves it forward again", () => {
  const snd = established(256, 1000, 48);
  snd.tx.enqueueSlice(DATA, 0, 90);
  const una = snd.una;
  snd.pendSeq = una;
  snd.sent(T0, 48, false);
  snd.pendSeq = (una + 48) | 0;
  snd.sent(T0, 42, false);
  assert.equal([snd.nxt, snd.max], [(una + 90) | 0, (una + 90) | 0]);
  snd.pendSeq = una;
  snd.sent(T0 + 1000, 48, true);
  assert.equal([snd.nxt, snd.max], [(una + 48) | 0, (una + 90) | 0], "SND.NXT after the resent segment; the highest kept");
  assert.ok(snd.segmentAt(snd.nxt, snd.wnd - 48, 48, false));
  assert.equal([snd.pendSeq, snd.pendLen], [(una + 48) | 0, 42], "what followed goes out again");
  assert.ok(snd.mayTransmit(snd.pendLen, 48, true), "and is never held by Nagle");
  assert.is(snd.onAck(T0 + 1010, ackSeg(IRS + 1, (una + 90) | 0, 1000), 0), AckResult.Advanced, "the first transmission arrived after all");
  assert.equal([snd.una, snd.nxt, snd.tx.len()], [(una + 90) | 0, (una + 90) | 0, 0]);
});

test("a zero-window probe is one octet at SND.UNA; reset forgets the connection", () => {
  const snd = established(64, 0, 48);
  snd.tx.enqueueSlice(DATA, 0, 5);
  snd.probe();
  assert.equal([snd.pendSeq, snd.pendLen, snd.pendCtl], [snd.una, 1, TcpControl.None]);
  snd.reset();
  assert.equal([snd.una, snd.nxt, snd.max, snd.wnd, snd.tx.len(), snd.remoteMss, snd.finQueued], [0, 0, 0, 0, 0, TCP_DEFAULT_MSS, false]);
  assert.not.ok(snd.rtt.timing);
});

test.run();
