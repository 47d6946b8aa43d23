// One test per errata workaround (DS80349C numbering, see drivers/enc28j60/index.ts): the
// emulated chip reproduces the erratum, the driver with the workaround works, and the same driver
// with that one workaround removed (the test-only `workarounds` option) fails.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as R from "../../../drivers/enc28j60/registers.js";
import {
  Enc28j60, Enc28j60Error, WORKAROUNDS_ALL, WORKAROUND_12_TXRST, WORKAROUND_13_LATE_COLLISION_RETRY, WORKAROUND_14_ODD_RXRDPT,
  WORKAROUND_15_TSV_LATECOL, WORKAROUND_19_POWER_SAVE, WORKAROUND_2_RESET_WAIT, WORKAROUND_5_RX_AT_ZERO, WORKAROUND_6_EPKTCNT,
  WORKAROUND_9_HDLDIS, WORKAROUND_INTIE_GATING,
} from "../../../drivers/enc28j60/index.js";
import { Enc28j60Chip } from "../../../drivers/enc28j60/emulator/index.js";
import { driverOptions, equalBytes, frame, MAC_A, MAC_B, makeRig, received, send, wireFrames } from "./rig.js";

const T0 = (0x7fffffff - 1000) | 0;
const without = (w: number) => WORKAROUNDS_ALL & ~w;

/** Receives `count` frames injected one by one; returns how many came out intact. */
function receiveMany(driver: Enc28j60, chip: Enc28j60Chip, count: number, len: (i: number) => number): number {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const f = frame(MAC_A, MAC_B, len(i), i);
    chip.injectFrame(f, 0, f.length);
    const n = driver.receive(T0);
    if (n === f.length && equalBytes(received(driver, n), f)) ok++;
  }
  return ok;
}

test("errata 2 (CLKRDY set too early after SRC): waiting 1 ms works; trusting CLKRDY reads EREVID 0", () => {
  const good = makeRig();
  assert.is(good.driver.revision, R.REV_B7);
  const chip = new Enc28j60Chip();
  assert.throws(() => new Enc28j60(driverOptions(chip, { workarounds: without(WORKAROUND_2_RESET_WAIT) })), (e: unknown) => e instanceof Enc28j60Error);
  assert.ok(chip.ignoredWhileResetting > 0);
});

test("errata 5 (ERXST write loads 0 into the write pointer): the ring at 0 works; a ring elsewhere loses frames", () => {
  const good = makeRig();
  assert.is(receiveMany(good.driver, good.chip, 10, (i) => 60 + i), 10);
  const bad = makeRig({ workarounds: without(WORKAROUND_5_RX_AT_ZERO) });
  assert.ok(receiveMany(bad.driver, bad.chip, 10, (i) => 60 + i) < 10);
  assert.ok(bad.driver.stats.rxRingResets > 0, "the first frame landed outside the ring");
});

test("errata 6 (PKTIF unreliable): EPKTCNT finds the frame; trusting PKTIF never does", () => {
  const good = makeRig();
  assert.is(receiveMany(good.driver, good.chip, 3, () => 60), 3);
  const bad = makeRig({ workarounds: without(WORKAROUND_6_EPKTCNT) });
  assert.is(receiveMany(bad.driver, bad.chip, 3, () => 60), 0);
  assert.is(bad.chip.packetCount(), 3, "the frames are in the chip, unseen");
});

test("errata 9 (half-duplex loopback): HDLDIS keeps our own broadcasts out; without it they come back", () => {
  for (const w of [WORKAROUNDS_ALL, without(WORKAROUND_9_HDLDIS)]) {
    const { chip, driver } = makeRig({ workarounds: w });
    assert.ok(send(driver, T0, frame("ff-ff-ff-ff-ff-ff", MAC_A, 60)));
    assert.is(wireFrames(chip).length, 1);
    assert.is(driver.receive(T0), w === WORKAROUNDS_ALL ? 0 : 60);
  }
});

test("errata 12 (TX stalls after an abort): TXRST before each send recovers; without it the next frame never leaves", () => {
  for (const w of [without(WORKAROUND_13_LATE_COLLISION_RETRY), without(WORKAROUND_13_LATE_COLLISION_RETRY | WORKAROUND_12_TXRST)]) {
    const { chip, driver } = makeRig({ workarounds: w });
    chip.lateCollisions = 1;
    assert.ok(send(driver, T0, frame(MAC_B, MAC_A, 100, 1)));
    const second = frame(MAC_B, MAC_A, 100, 2);
    assert.ok(send(driver, T0, second), "the abort was seen, the transmitter is free");
    assert.is(driver.stats.txAborts, 1);
    const out = wireFrames(chip);
    if (w & WORKAROUND_12_TXRST) {
      assert.is(out.length, 1);
      assert.ok(equalBytes(out[0], second));
    } else {
      assert.is(out.length, 0, "stalled: TXRTS stays set");
      assert.ok(chip.transmitPending());
      assert.is(driver.transmitBegin(T0, 60), -1);
    }
  }
});

test("errata 13 (late collision on a link pulse): the frame is retransmitted from the TSV; without the retry it is lost", () => {
  for (const w of [WORKAROUNDS_ALL, without(WORKAROUND_13_LATE_COLLISION_RETRY)]) {
    const { chip, driver } = makeRig({ workarounds: w });
    chip.lateCollisions = 2;
    const f = frame(MAC_B, MAC_A, 600, 3);
    assert.ok(send(driver, T0, f));
    chip.dispatchInterrupts(); // TXERIF → the interrupt path reads the TSV
    chip.dispatchInterrupts();
    assert.ok(driver.transmitBegin(T0, 60) > 0);
    const out = wireFrames(chip);
    if (w === WORKAROUNDS_ALL) {
      assert.is(out.length, 1);
      assert.ok(equalBytes(out[0], f));
      assert.is(driver.stats.txLateCollisionRetries, 2);
      assert.is(driver.stats.txFrames, 1);
    } else {
      assert.is(out.length, 0);
      assert.is(driver.stats.txAborts, 1);
    }
  }
});

test("errata 13: retries are bounded (16), then the frame is dropped and counted", () => {
  const { chip, driver } = makeRig();
  chip.lateCollisions = 100;
  send(driver, T0, frame(MAC_B, MAC_A, 100));
  for (let i = 0; i < 40; i++) chip.dispatchInterrupts();
  assert.ok(driver.transmitBegin(T0, 60) > 0);
  assert.is(driver.stats.txLateCollisionRetries, 16);
  assert.is(driver.stats.txAborts, 1);
  assert.is(chip.lateCollisions, 100 - 17);
});

test("errata 15 (ESTAT.LATECOL unreliable): the TSV tells the late collision; ESTAT does not", () => {
  for (const w of [WORKAROUNDS_ALL, without(WORKAROUND_15_TSV_LATECOL)]) {
    const { chip, driver } = makeRig({ workarounds: w });
    chip.lateCollisions = 1;
    assert.ok(send(driver, T0, frame(MAC_B, MAC_A, 100)));
    assert.ok(driver.transmitBegin(T0, 60) > 0);
    assert.is(wireFrames(chip).length, w === WORKAROUNDS_ALL ? 1 : 0);
    assert.is(driver.stats.txLateCollisionRetries, w === WORKAROUNDS_ALL ? 1 : 0);
  }
});

test("errata 14 (even ERXRDPT corrupts the ring): odd ERXRDPT keeps every frame; an even one loses them", () => {
  const good = makeRig();
  assert.is(receiveMany(good.driver, good.chip, 40, (i) => 60 + ((i * 97) % 1400)), 40);
  assert.is(good.chip.corruptions, 0);
  const bad = makeRig({ workarounds: without(WORKAROUND_14_ODD_RXRDPT) });
  assert.ok(receiveMany(bad.driver, bad.chip, 40, (i) => 60 + ((i * 97) % 1400)) < 40);
  assert.ok(bad.chip.corruptions > 0);
  assert.ok(bad.driver.stats.rxRingResets > 0, "the driver saw the corrupt pointer and reset the ring");
});

test("errata 19 (SRC ignored in power save): leaving power save first resets the chip; without it nothing is received", () => {
  for (const w of [WORKAROUNDS_ALL, without(WORKAROUND_19_POWER_SAVE)]) {
    const chip = new Enc28j60Chip();
    chip.advance(1);
    chip.poke(R.ECON2, R.ECON2_AUTOINC | R.ECON2_PWRSV); // left in power save by an earlier program
    const driver = new Enc28j60(driverOptions(chip, { workarounds: w }));
    assert.is(receiveMany(driver, chip, 3, () => 60), w === WORKAROUNDS_ALL ? 3 : 0);
  }
});

test("INTIE gating (datasheet §12.1): a frame left pending raises a new edge; without gating INT stays low and it waits for backupPoll", () => {
  for (const w of [WORKAROUNDS_ALL, without(WORKAROUND_INTIE_GATING)]) {
    let got = 0;
    const { chip, driver } = makeRig({
      workarounds: w,
      onInterrupt() {
        if (this.receive(T0) > 0) got++; // a host that reads one frame per turn (maxIngressPerPoll = 1)
      },
    });
    chip.injectFrame(frame(MAC_A, MAC_B, 60), 0, 60);
    chip.injectFrame(frame(MAC_A, MAC_B, 60), 0, 60);
    chip.dispatchInterrupts();
    assert.is(got, w === WORKAROUNDS_ALL ? 2 : 1);
    driver.backupPoll(T0);
    assert.is(got, 2, "the backup poll recovers either way");
    assert.is(driver.stats.missedInterrupts, w === WORKAROUNDS_ALL ? 0 : 1);
  }
});

test.run();
