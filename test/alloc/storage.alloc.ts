import { allocCase } from "../support/alloc.js";
import { Arena } from "../../src/storage/arena.js";
import { copyBytes } from "../../src/storage/copy.js";
import { RingBuffer } from "../../src/storage/ring-buffer.js";
import { PacketBuffer } from "../../src/storage/packet-buffer.js";
import { Assembler } from "../../src/storage/assembler.js";

// Setup, once: an arena holding a "frame" region and the rings, so the copies are copyWithin;
// and a ring in its own buffer, so the byte-loop path is measured too.
const arena = new Arena(4096);
const frameOff = arena.reserve(64);
for (let i = 0; i < 64; i++) arena.bytes[frameOff + i] = i + 1;
const ring = new RingBuffer(100, arena);
const txRing = new RingBuffer(100, arena);
const foreignRing = new RingBuffer(13);
const foreignFrame = new Uint8Array(16);
for (let i = 0; i < 16; i++) foreignFrame[i] = 0x40 + i;

class Meta {
  port = 0;
}
const packets = new PacketBuffer<Meta>(4, 50, () => new Meta(), arena);
const assembler = new Assembler(4);

allocCase("storage: ring enqueueSlice+dequeueSlice across the wrap (arena)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    // 37 in, 37 out: the positions walk round the 100-octet ring and wrap every few rounds.
    ring.enqueueSlice(arena.bytes, frameOff, 37);
    acc = (acc + ring.dequeueSlice(arena.bytes, frameOff + 20, 37)) | 0;
    // Keep one octet queued so the read position is never reset.
    if (ring.isEmpty()) ring.enqueueSlice(arena.bytes, frameOff, 1);
    acc = (acc + ring.enqueueWindowOffset() + ring.dequeueWindowLen()) | 0;
  }
  return acc;
});

allocCase("storage: ring enqueueSlice+dequeueSlice across the wrap (own buffer, byte loop)", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    foreignRing.enqueueSlice(foreignFrame, 1, 5);
    acc = (acc + foreignRing.dequeueSlice(foreignFrame, 8, 4) + foreignFrame[8]) | 0;
    if (foreignRing.len() > 8) foreignRing.dequeueAllocated(foreignRing.len());
  }
  return acc;
});

allocCase("storage: writeUnallocated/readAllocated and in-place emit across the wrap", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    // Receive side: a later segment, then the one before it, then commit both.
    ring.writeUnallocated(10, arena.bytes, frameOff + 10, 20);
    ring.writeUnallocated(0, arena.bytes, frameOff, 10);
    ring.enqueueUnallocated(30);
    // Transmit side: read for a retransmission at an offset, emit in place, acknowledge.
    acc = (acc + ring.readAllocated(5, arena.bytes, frameOff + 32, 20)) | 0;
    const at = ring.allocatedOffset(3);
    const len = ring.allocatedLen(3, 30);
    copyBytes(arena.bytes, frameOff + 40, arena.bytes, at, len < 20 ? len : 20);
    acc = (acc + ring.unallocatedOffset(0) + ring.unallocatedLen(0, 50)) | 0;
    ring.dequeueAllocated(30);
    txRing.enqueueSlice(arena.bytes, frameOff, 7);
    acc = (acc + txRing.readAllocated(txRing.len() - 7, arena.bytes, frameOff + 50, 7)) | 0;
    txRing.dequeueAllocated(txRing.len() > 90 ? txRing.len() : 0);
  }
  return acc;
});

allocCase("storage: packet buffer enqueue/dequeue with padding", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    // 17, 17 and 13 octets in a 50-octet ring: packets regularly need padding at the end.
    const a = packets.enqueue(17);
    if (a !== null) {
      a.port = i;
      copyBytes(packets.bytes, packets.enqueuedOffset, arena.bytes, frameOff, packets.enqueuedLen);
    }
    const b = packets.enqueue(13 + (i & 7));
    if (b !== null) b.port = i + 1;
    const m = packets.dequeue();
    if (m !== null) acc = (acc + m.port + packets.dequeuedOffset + packets.dequeuedLen) | 0;
    if (packets.peek() !== null) acc = (acc + packets.peekOffset() + packets.peekLen()) | 0;
    if ((i & 3) === 3) {
      while (packets.dequeue() !== null) acc = (acc + 1) | 0;
    }
  }
  return acc;
});

allocCase("storage: assembler add/removeFront", (n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    assembler.add(20, 5);
    assembler.add(10, 5);
    assembler.add(30, 5);
    assembler.add(40, 5);
    if (!assembler.add(50, 5)) acc = (acc + 1) | 0; // refused: a fifth range
    assembler.add(15, 5); // fills a gap: [10, 25)
    assembler.add(0, 4);
    acc = (acc + assembler.removeFront() + assembler.rangeCount() + assembler.rangeStart(0)) | 0;
    acc = (acc + assembler.addThenRemoveFront(0, 6)) | 0;
    acc = (acc + assembler.addThenRemoveFront(0, 100)) | 0;
  }
  return acc;
});
