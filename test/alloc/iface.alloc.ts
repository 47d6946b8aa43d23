import { allocCase } from "../support/alloc.js";
import { fuzzRig, runFuzz } from "../support/fuzz-rig.js";

// The whole receive path, with replies and socket deliveries, over mutated captures: every
// iteration is one frame through Interface.poll, then the sockets are emptied.
const rig = fuzzRig(0xa110c);
let t = 0;
allocCase("interface poll over mutated frames with sockets bound", (n) => {
  const before = rig.iface.stats.rxFrames;
  for (let i = 0; i < n; i++) {
    runFuzz(rig, 1, 1, t);
    t = (t + 3) | 0;
  }
  return rig.iface.stats.rxFrames - before;
}, 10000);
