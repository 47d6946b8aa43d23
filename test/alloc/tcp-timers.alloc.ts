import { allocCase } from "../support/alloc.js";
import { RttEstimator } from "../../src/socket/tcp/rtt.js";
import { DelayedAck, TcpTimer, TIME_WAIT_DURATION, UserTimeout } from "../../src/socket/tcp/timer.js";

// Setup, once: one estimator and one set of timers, driven like a socket would drive them.
const rtte = new RttEstimator();
const timer = new TcpTimer();
const delayed = new DelayedAck();
const user = new UserTimeout();
user.timeout = 30000;

allocCase("tcp: RTT estimator send/ack/retransmit/backoff across sequence and clock wrap", (n) => {
  let acc = 0;
  let now = (0x7fffffff - 5000) | 0;
  let seq = 0x7ffff000;
  for (let i = 0; i < n; i++) {
    seq = (seq + 536) | 0;
    rtte.onSend(seq, now);
    now = (now + 3 + (i & 15)) | 0;
    if ((i & 7) === 7) {
      // A loss: the timer fires, the RTO backs off, the segment goes again (not timed).
      rtte.onRetransmit();
      rtte.backoff();
      rtte.onSend(seq, now);
    }
    if (rtte.onAck(seq, now)) acc = (acc + 1) | 0;
    acc = (acc + rtte.rto + rtte.srtt() + rtte.rttvar()) | 0;
    if ((i & 1023) === 1023) rtte.reset();
  }
  return acc;
});

allocCase("tcp: timer, delayed ACK and user timeout transitions across the clock wrap", (n) => {
  let acc = 0;
  let now = (0x7fffffff - 5000) | 0;
  for (let i = 0; i < n; i++) {
    timer.setForIdle(now, 7200000);
    timer.rewindKeepAlive(now, 7200000);
    if (timer.shouldKeepAlive(now)) acc = (acc + 1) | 0;
    timer.setForRetransmit(now, 1000);
    user.onSend(now);
    timer.setForRetransmit((now + 10) | 0, 1000); // kept
    timer.rewindRetransmit((now + 20) | 0, 1000);
    acc = (acc + timer.shouldRetransmit((now + 1100) | 0) + timer.pollDelay(now)) | 0;
    timer.setForRetransmit((now + 1100) | 0, 2000); // expired: re-armed
    timer.setForFastRetransmit();
    acc = (acc + timer.shouldRetransmit(now)) | 0;
    timer.setForZeroWindowProbe(now, 1000);
    timer.rewindZeroWindowProbe(now, 60000);
    if (timer.shouldProbeZeroWindow((now + 5000) | 0)) acc = (acc + 1) | 0;
    timer.setForClose(now, TIME_WAIT_DURATION);
    if (timer.shouldClose((now + TIME_WAIT_DURATION) | 0)) acc = (acc + timer.pollDelay(now)) | 0;
    delayed.onSegment(now, (i & 3) === 3);
    if (delayed.mayAck((now + 10) | 0)) delayed.onAckSent();
    acc = (acc + delayed.pollDelay(now) + user.pollDelay(now)) | 0;
    user.onAck((now + 5) | 0, (i & 1) === 1);
    if (user.expired((now + 40000) | 0)) acc = (acc + 1) | 0;
    now = (now + 97) | 0;
  }
  return acc;
});
