// RFC 7323 timestamps as the socket negotiates and uses them: §3.2 (negotiation, every segment),
// §4.3 (TS.Recent, Last.ACK.sent), §5.3 / §5.5 (PAWS), §4.1 (RTTM), and the 12 octets the option
// takes from every segment. The peer is scripted (peer.ts); TSval is `now` exactly, since these
// sockets have neither an interface nor an ISN generator (offset 0), except where a test says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { IsnGenerator } from "../../../src/socket/tcp/isn.js";
import { TcpSocket, TcpState } from "../../../src/socket/tcp/socket.js";
import { SocketErrorCode } from "../../../src/socket/error.js";
import { ChecksumCapabilities } from "../../../src/wire/checksum.js";
import { TcpControl, TcpPacket, TcpRepr } from "../../../src/wire/tcp.js";
import { ISN, LOCAL_END, LOCAL_PORT, REMOTE_END, RISN, T0, assertState, client, drain, expectSeg, feed, make, out, recvText, reply, seg, type Opts } from "./peer.js";

/** The peer's clock: its TSval at our T0. */
const PTS = 0x7ffffff0;
/** The peer's TSval `n` ms after PTS (int32). */
const pts = (n: number): number => (PTS + n) | 0;
/** A day in ms. */
const DAY = 24 * 3600 * 1000;

/** A segment from the peer with the Timestamps option. */
function tseg(ctl: TcpControl, seq: number, ack: number | null, tsVal: number, tsEcr: number, win = 1000): TcpRepr {
  const t = seg(ctl, seq, ack, win);
  t.hasTimestamp = true;
  t.tsVal = tsVal | 0;
  t.tsEcr = tsEcr | 0;
  return t;
}

/** The octets `t` emits as a segment with `n` data octets (checksum left 0). */
function wire(t: TcpRepr, n = 0): number[] {
  const len = t.bufferLen(n);
  const b = new Uint8Array(len);
  t.emit(new TcpPacket(b, new DataView(b.buffer), 0, len), n, 0, ChecksumCapabilities.ignored());
  return Array.from(b);
}

/** The four octets of an int32, big-endian. */
function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** A server through a handshake with timestamps: the peer's SYN has TSval PTS, its ACK pts(1) at T0 + 10. */
function tsServer(o: Opts = {}): TcpSocket {
  const sock = make(o);
  sock.listenIsn = ISN;
  sock.listen(LOCAL_PORT);
  const syn = tseg(TcpControl.Syn, RISN, null, PTS, 0, o.win ?? 1000);
  syn.maxSegSize = o.mss ?? 1400;
  feed(sock, T0, syn);
  const sa = expectSeg(out(sock, T0), TcpControl.Syn, ISN, RISN + 1);
  assert.ok(sa.tcp.hasTimestamp, "the SYN-ACK answers with the option");
  assert.is(sa.tcp.tsVal, T0, "TSval: our clock");
  assert.is(sa.tcp.tsEcr, PTS, "TSecr: the SYN's TSval");
  assert.not.ok(feed(sock, T0 + 10, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(1), T0, o.win ?? 1000)));
  assertState(sock, TcpState.Established);
  return sock;
}

test("RFC 7323 §3.2: an active open offers the option (TSecr 0); the SYN-ACK's turns it on for every segment", () => {
  const sock = make({ tx: 256 });
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  const syn = expectSeg(out(sock, T0), TcpControl.Syn, ISN, null);
  assert.ok(syn.tcp.hasTimestamp);
  assert.is(syn.tcp.tsVal, T0);
  assert.is(syn.tcp.tsEcr, 0, "no ACK bit: TSecr SHOULD be zero");
  // The options of the SYN on the wire: MSS, NOP NOP Timestamps, NOP Window Scale (the layout
  // src/wire/tcp.ts documents), 20 octets.
  const w = wire(syn.tcp);
  const mss = syn.tcp.maxSegSize;
  assert.is(w.length, 40);
  assert.equal(w.slice(20), [0x02, 0x04, mss >>> 8, mss & 0xff, 0x01, 0x01, 0x08, 0x0a, ...be32(T0), 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x00]);
  assert.is(syn.ip.payloadLen, 40, "the IP payload counts the options");

  const sa = tseg(TcpControl.Syn, RISN, ISN + 1, PTS, T0);
  sa.maxSegSize = 1400;
  feed(sock, T0 + 10, sa);
  assertState(sock, TcpState.Established);
  assert.is(sock.rtt.srtt(), 10, "RTTM: the SYN-ACK's echo gives the first sample");
  const ack = expectSeg(out(sock, T0 + 10), TcpControl.None, ISN + 1, RISN + 1);
  assert.ok(ack.tcp.hasTimestamp);
  assert.is(ack.tcp.tsVal, T0 + 10);
  assert.is(ack.tcp.tsEcr, PTS);
  // A bare ACK on the wire: 20 + 12 octets, the option as 01 01 08 0a tsval tsecr.
  assert.equal(wire(ack.tcp).slice(20), [0x01, 0x01, 0x08, 0x0a, ...be32(T0 + 10), ...be32(PTS)]);
  // Data and FIN carry it too.
  sock.send(new Uint8Array(5), 0, 5);
  const d = expectSeg(out(sock, T0 + 20), TcpControl.None, ISN + 1, RISN + 1, "\0\0\0\0\0");
  assert.ok(d.tcp.hasTimestamp && d.tcp.tsVal === T0 + 20 && d.tcp.tsEcr === PTS);
  assert.is(d.ip.payloadLen, 32 + 5);
  feed(sock, T0 + 30, tseg(TcpControl.None, RISN + 1, ISN + 6, pts(5), T0 + 20));
  sock.close();
  const fin = expectSeg(out(sock, T0 + 40), TcpControl.Fin, ISN + 6, RISN + 1);
  assert.ok(fin.tcp.hasTimestamp && fin.tcp.tsEcr === pts(5));
});

test("RFC 7323 §3.2: a SYN-ACK without the option: nothing carries it, and received options are ignored", () => {
  const sock = client({ tx: 256 }); // the SYN offered it; the SYN-ACK had none
  sock.send(new Uint8Array(10), 0, 10);
  const d = expectSeg(out(sock, T0 + 20), TcpControl.None, ISN + 1, RISN + 1, "\0".repeat(10));
  assert.not.ok(d.tcp.hasTimestamp);
  assert.is(d.ip.payloadLen, 20 + 10);
  // No PAWS and no TS.Recent: a segment with an option (any TSval) is an ordinary segment.
  assert.not.ok(feed(sock, T0 + 30, tseg(TcpControl.None, RISN + 1, ISN + 11, 5, 7), "ab"));
  assert.not.ok(feed(sock, T0 + 31, tseg(TcpControl.None, RISN + 3, ISN + 11, 1, 7), "cd"));
  assert.is(recvText(sock), "abcd");
  assert.is(sock.rxPawsRejected, 0);
  // And one without is not dropped for it.
  assert.not.ok(feed(sock, T0 + 32, seg(TcpControl.None, RISN + 5, ISN + 11), "e"));
  assert.is(recvText(sock), "e");
  for (const o of drain(sock, T0 + 40)) assert.not.ok(o.tcp.hasTimestamp);
});

test("RFC 7323 §3.2: a passive open answers with the option only if the SYN carried it", () => {
  tsServer(); // with: checked inside
  const plain = make();
  plain.listenIsn = ISN;
  plain.listen(LOCAL_PORT);
  feed(plain, T0, seg(TcpControl.Syn, RISN, null));
  const sa = expectSeg(out(plain, T0), TcpControl.Syn, ISN, RISN + 1);
  assert.not.ok(sa.tcp.hasTimestamp);
  assert.is(sa.ip.payloadLen, 20 + 4 + 0, "MSS only");
});

test("timestamps = false: not offered on our SYN, not answered on the peer's", () => {
  const c = make();
  c.timestamps = false;
  c.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  assert.not.ok(out(c, T0)!.tcp.hasTimestamp);
  const s = make();
  s.timestamps = false;
  s.listenIsn = ISN;
  s.listen(LOCAL_PORT);
  feed(s, T0, tseg(TcpControl.Syn, RISN, null, PTS, 0));
  assert.not.ok(out(s, T0)!.tcp.hasTimestamp);
  // The peer keeps sending the option (it should not): its TSvals are not judged.
  assert.not.ok(feed(s, T0, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(1), 0), "x"));
  assert.not.ok(feed(s, T0, tseg(TcpControl.None, RISN + 2, ISN + 1, pts(-100), 0), "y"));
  assert.is(recvText(s), "xy");
  assert.not.ok(out(s, T0)!.tcp.hasTimestamp);
});

test("RFC 7323 §5.4: TSval is our clock plus a per-connection offset from the ISN key", () => {
  const g = new IsnGenerator(0x01234567, 0x89abcdef, 0x0badcafe, 0x600dd00d);
  const sock = make();
  sock.isnGenerator = g;
  sock.connectWith(T0, LOCAL_END, REMOTE_END, ISN);
  const syn = out(sock, T0)!.tcp;
  const offset = g.offset(REMOTE_END, LOCAL_END); // the reversed 4-tuple: never our own ISN's hash
  assert.is.not(offset, 0);
  assert.is.not(offset, g.offset(LOCAL_END, REMOTE_END));
  assert.is(syn.tsVal, (T0 + offset) | 0);
  // Same clock, same offset: later TSvals move with `now` (int32, across the clock's wrap).
  const sa = tseg(TcpControl.Syn, RISN, ISN + 1, PTS, syn.tsVal);
  sa.maxSegSize = 1400;
  feed(sock, T0 + 10, sa);
  assert.is(sock.rtt.srtt(), 10, "RTTM undoes the offset");
  const later = (T0 + 3001) | 0; // past the int32 wrap of `now`
  sock.send(new Uint8Array(1), 0, 1);
  const d = out(sock, later)!.tcp;
  assert.is(d.tsVal, (syn.tsVal + 3001) | 0);
});

test("RFC 7323 §4.3: TSecr echoes TS.Recent; a delayed ACK echoes the earliest segment it acknowledges", () => {
  const sock = tsServer({ ackDelay: 10, rx: 256 });
  // Two segments, the second within the delayed-ACK time: the first (SEG.SEQ = Last.ACK.sent)
  // sets TS.Recent; the second (SEG.SEQ > Last.ACK.sent) does not.
  feed(sock, T0 + 20, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(100), T0), "0123456789");
  feed(sock, T0 + 22, tseg(TcpControl.None, RISN + 11, ISN + 1, pts(200), T0), "abcde");
  assert.is(out(sock, T0 + 22), null, "the ACK is delayed");
  const a = expectSeg(out(sock, T0 + 30), TcpControl.None, ISN + 1, RISN + 16);
  assert.is(a.tcp.tsEcr, pts(100), "the echo of the first segment");
  // Now Last.ACK.sent = RISN + 16, and the next in-order segment sets TS.Recent.
  feed(sock, T0 + 40, tseg(TcpControl.None, RISN + 16, ISN + 1, pts(300), T0), "f");
  assert.is(expectSeg(out(sock, T0 + 50), TcpControl.None, ISN + 1, RISN + 17).tcp.tsEcr, pts(300));
});

test("RFC 7323 §4.3: an out-of-order segment does not update TS.Recent; the one that fills the hole does", () => {
  const sock = tsServer({ rx: 256 });
  // The segment after a hole (SEG.SEQ > Last.ACK.sent) with a newer TSval: kept, answered with
  // a duplicate ACK that still echoes the last in-order TSval.
  assert.not.ok(feed(sock, T0 + 20, tseg(TcpControl.None, RISN + 6, ISN + 1, pts(50), T0), "fghij"));
  const dup = expectSeg(out(sock, T0 + 20), TcpControl.None, ISN + 1, RISN + 1);
  assert.is(dup.tcp.tsEcr, pts(1));
  // The missing segment's first part, sent before the handshake's ACK was seen (its TSval equals
  // TS.Recent, which is not older): in order, accepted; TS.Recent stays.
  assert.not.ok(feed(sock, T0 + 21, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(1), T0), "ab"));
  assert.is(expectSeg(out(sock, T0 + 21), TcpControl.None, ISN + 1, RISN + 3).tcp.tsEcr, pts(1));
  // The segment that fills the hole (SEG.SEQ = Last.ACK.sent): its TSval becomes TS.Recent.
  assert.not.ok(feed(sock, T0 + 22, tseg(TcpControl.None, RISN + 3, ISN + 1, pts(60), T0), "cde"));
  const a = expectSeg(out(sock, T0 + 22), TcpControl.None, ISN + 1, RISN + 11);
  assert.is(a.tcp.tsEcr, pts(60));
  assert.is(recvText(sock), "abcdefghij");
});

test("RFC 7323 §4.3: a segment whose ACK is not acceptable does not plant its TSval", () => {
  const sock = tsServer();
  // SEG.ACK beyond SND.NXT: a challenge ACK (RFC 5961 §5.2), and TS.Recent stays.
  assert.ok(feed(sock, T0 + 20, tseg(TcpControl.None, RISN + 1, ISN + 500, pts(1000), T0)));
  assert.is(reply.tsEcr, pts(1));
  assert.not.ok(feed(sock, T0 + 21, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(2), T0), "x"));
  assert.is(expectSeg(out(sock, T0 + 21), TcpControl.None, ISN + 1, RISN + 2).tcp.tsEcr, pts(2));
});

test("RFC 7323 §4.3: a retransmission of text already received is answered with its own TSval echoed", () => {
  const sock = tsServer({ rx: 256 });
  assert.not.ok(feed(sock, T0 + 20, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(20), T0), "abcd"));
  assert.is(expectSeg(out(sock, T0 + 20), TcpControl.None, ISN + 1, RISN + 5).tcp.tsEcr, pts(20));
  // That ACK was lost; the peer sends the text again after its RTO, with a newer TSval. The
  // answer (RFC 9293 §3.10.7.4) echoes the copy it answers, not the first one.
  assert.ok(feed(sock, T0 + 500, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(500), T0), "abcd"));
  assert.is(reply.ackNumber, RISN + 5);
  assert.is(reply.tsEcr, pts(500));
  assert.is(recvText(sock), "abcd", "delivered once");
  // Not with an ACK field outside RFC 5961's range: a blind guess plants nothing.
  assert.ok(feed(sock, T0 + 600, tseg(TcpControl.None, RISN + 1, ISN + 100000, pts(100000), T0), "abcd"));
  assert.is(reply.tsEcr, pts(500));
});

test("RFC 7323 §5.3 R1 (PAWS): an older TSval is answered with an ACK and dropped", () => {
  const sock = tsServer({ rx: 256 });
  assert.ok(feed(sock, T0 + 20, tseg(TcpControl.None, RISN + 1, ISN + 1, PTS, T0), "old"), "answered");
  assert.is(reply.control, TcpControl.None);
  assert.ok(reply.hasAck);
  assert.is(reply.seqNumber, ISN + 1);
  assert.is(reply.ackNumber, RISN + 1, "RCV.NXT did not move");
  assert.ok(reply.hasTimestamp);
  assert.is(reply.tsVal, T0 + 20);
  assert.is(reply.tsEcr, pts(1));
  assert.is(sock.rxPawsRejected, 1);
  assert.is(sock.recvQueue, 0, "the data was dropped");
  // Across the TSval wrap: pts(1) is 0x7ffffff1; 0x80000010 is newer (int32 arithmetic).
  assert.not.ok(feed(sock, T0 + 30, tseg(TcpControl.None, RISN + 1, ISN + 1, 0x80000010, T0), "new"));
  assert.is(recvText(sock), "new");
  assert.ok(feed(sock, T0 + 40, tseg(TcpControl.None, RISN + 4, ISN + 1, 0x7ffffff2, T0), "old"));
  assert.is(sock.rxPawsRejected, 2);
});

test("RFC 7323 §5.3 / §3.2: a RST is never dropped by PAWS, nor for lacking the option", () => {
  const a = tsServer();
  const rst = seg(TcpControl.Rst, RISN + 1, null);
  assert.not.ok(feed(a, T0 + 20, rst));
  assertState(a, TcpState.Closed);
  assert.is(a.error, SocketErrorCode.ConnectionReset);
  const b = tsServer();
  assert.not.ok(feed(b, T0 + 20, tseg(TcpControl.Rst, RISN + 1, null, pts(-1000), 0)));
  assertState(b, TcpState.Closed);
  assert.is(b.error, SocketErrorCode.ConnectionReset);
});

test("RFC 7323 §3.2: a non-RST segment without the negotiated option is dropped silently", () => {
  const sock = tsServer();
  assert.not.ok(feed(sock, T0 + 20, seg(TcpControl.None, RISN + 1, ISN + 1), "lost"));
  assert.is(sock.rxMissingTimestamp, 1);
  assert.is(sock.recvQueue, 0);
  assert.is(out(sock, T0 + 20), null, "not even acknowledged");
  // A FIN without it changes nothing either.
  assert.not.ok(feed(sock, T0 + 21, seg(TcpControl.Fin, RISN + 1, ISN + 1)));
  assertState(sock, TcpState.Established);
});

test("RFC 7323 §5.5: TS.Recent idle for 24 days is invalid: an older TSval is then accepted and adopted", () => {
  const young = tsServer({ rx: 256 });
  const t23 = (T0 + 10 + 23 * DAY) | 0;
  assert.ok(feed(young, t23, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(-5), T0), "x"), "23 days: PAWS still rejects");
  assert.is(young.rxPawsRejected, 1);
  const old = tsServer({ rx: 256 });
  const t24 = (T0 + 10 + 24 * DAY) | 0;
  assert.not.ok(feed(old, t24, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(-5), T0), "x"));
  assert.is(old.rxPawsRejected, 0);
  assert.is(recvText(old), "x");
  assert.is(expectSeg(out(old, t24), TcpControl.None, ISN + 1, RISN + 2).tcp.tsEcr, pts(-5), "TS.Recent adopted");
});

/** The RTO after `n` back-offs and then the ACK of the last retransmission, with or without timestamps. */
function rtoAfterRetransmissions(timestamps: boolean): { rto: number; srtt: number; measured: boolean } {
  const sock = make({ tx: 256 });
  sock.timestamps = timestamps;
  sock.listenIsn = ISN;
  sock.listen(LOCAL_PORT);
  const syn = timestamps ? tseg(TcpControl.Syn, RISN, null, PTS, 0) : seg(TcpControl.Syn, RISN, null);
  feed(sock, T0, syn);
  out(sock, T0);
  // Our SYN-ACK goes twice, and the handshake's ACK gives no sample in either run: Karn's rule
  // without timestamps, a TSecr of 0 with them. Both runs start alike: RTO 3 s (RFC 6298 §5.7).
  const sa2 = out(sock, T0 + 1000)!;
  assert.is(sa2.tcp.control, TcpControl.Syn, "SYN-ACK retransmitted");
  const ack = seg(TcpControl.None, RISN + 1, ISN + 1);
  if (timestamps) Object.assign(ack, { hasTimestamp: true, tsVal: pts(1), tsEcr: 0 });
  feed(sock, T0 + 1010, ack);
  assertState(sock, TcpState.Established);
  assert.is(sock.rtt.rto, 3000);
  // The data is sent and lost three times (the RTO backs off to 6 s, 12 s, 24 s).
  sock.send(new Uint8Array(10), 0, 10);
  let now = T0 + 2000;
  let last = out(sock, now)!;
  for (let i = 0; i < 3; i++) {
    now = (now + sock.rtt.rto) | 0;
    last = out(sock, now)!;
    assert.ok(last !== null && last.data.length === 10, "retransmission " + i);
  }
  assert.is(sock.retransmits, 1 + 3, "the SYN-ACK and three data segments");
  // The ACK of the last copy, 15 ms later, echoing its TSval.
  const a = seg(TcpControl.None, RISN + 1, ISN + 11);
  if (timestamps) Object.assign(a, { hasTimestamp: true, tsVal: pts(2), tsEcr: last.tcp.tsVal });
  feed(sock, now + 15, a);
  assert.is(sock.sendQueue, 0);
  return { rto: sock.rtt.rto, srtt: sock.rtt.srtt(), measured: sock.rtt.measured };
}

test("RFC 7323 §4.1 (RTTM): the ACK of a retransmission gives an RTT sample; the RTO recovers from its back-off", () => {
  const ts = rtoAfterRetransmissions(true);
  assert.ok(ts.measured);
  assert.is(ts.srtt, 15, "the sample is the last copy's round trip, not the time since the first");
  assert.is(ts.rto, 200, "SRTT + 4 RTTVAR, raised to the 200 ms minimum");
  // The control: without timestamps Karn's rule gives no sample at all, and the RTO stays at
  // its backed-off value (no measurement ever, so nothing to return to).
  const karn = rtoAfterRetransmissions(false);
  assert.not.ok(karn.measured);
  assert.ok(karn.rto >= 24000, "backed off: " + karn.rto);
});

test("RFC 7323 §4.1: RTTM ignores a TSecr of 0 and an ACK that acknowledges nothing new", () => {
  const sock = tsServer({ tx: 256 });
  const srtt = sock.rtt.srtt();
  assert.is(srtt, 10, "the handshake ACK's echo: T0 + 10 - T0");
  sock.send(new Uint8Array(4), 0, 4);
  const d = out(sock, T0 + 20)!;
  feed(sock, T0 + 500, tseg(TcpControl.None, RISN + 1, ISN + 1, pts(2), d.tcp.tsVal)); // nothing new
  assert.is(sock.rtt.srtt(), 10);
  feed(sock, T0 + 520, tseg(TcpControl.None, RISN + 1, ISN + 5, pts(3), 0)); // new, but no echo
  assert.is(sock.rtt.srtt(), 10);
  assert.is(sock.sendQueue, 0);
});

test("RFC 7323 / RFC 9293 §3.7.1: with timestamps every segment carries 12 octets less data", () => {
  const withTs = tsServer({ mss: 1400, tx: 4000, nagle: false, win: 65535 });
  withTs.send(new Uint8Array(3000), 0, 3000);
  const a = drain(withTs, T0 + 20);
  assert.equal(a.map((o) => o.data.length), [1388, 1388, 224]);
  for (const o of a) assert.is(o.ip.payloadLen, 32 + o.data.length, "header with option + data");
  // On the wire: 1420 octets of TCP = the 1400 of the peer's MSS + 20 of header.
  const w = wire(a[0].tcp, 1388);
  assert.is(w.length, 1420);
  assert.is(w[12] >>> 4, 8, "Data Offset: 8 words");
  assert.equal(w.slice(20, 24), [0x01, 0x01, 0x08, 0x0a]);
  // The link MSS (from the MTU) is reduced the same way when it is the limit.
  const link = tsServer({ mss: 1460, linkMss: 536, tx: 4000, nagle: false, win: 65535 });
  link.send(new Uint8Array(1000), 0, 1000);
  assert.equal(drain(link, T0 + 20).map((o) => o.data.length), [524, 476]);
  // Without the option: the full MSS.
  const plain = client({ mss: 1400, tx: 4000, nagle: false, win: 65535 });
  plain.send(new Uint8Array(3000), 0, 3000);
  assert.equal(drain(plain, T0 + 20).map((o) => o.data.length), [1400, 1400, 200]);
});

test("RFC 7323 §3.2: our RST of an aborted connection carries the option; the handshake RST answer does not", () => {
  const sock = tsServer();
  sock.abort();
  const r = out(sock, T0 + 50)!;
  assert.is(r.tcp.control, TcpControl.Rst);
  assert.ok(r.tcp.hasTimestamp);
  assert.is(r.tcp.tsVal, T0 + 50);
  assert.is(r.tcp.tsEcr, 0, "a RST without ACK: TSecr 0");
  // In SYN-RECEIVED, an ACK of something we never sent is answered with <SEQ=SEG.ACK><CTL=RST>.
  const s = make();
  s.listenIsn = ISN;
  s.listen(LOCAL_PORT);
  feed(s, T0, tseg(TcpControl.Syn, RISN, null, PTS, 0));
  out(s, T0);
  assert.ok(feed(s, T0 + 5, tseg(TcpControl.None, RISN + 1, ISN + 77, pts(1), T0)));
  assert.is(reply.control, TcpControl.Rst);
  assert.is(reply.seqNumber, ISN + 77);
  assert.not.ok(reply.hasTimestamp);
});
test.run();
