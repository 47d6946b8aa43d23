/**
 * What the interface keeps about every socket: its handle, and whether it is waiting for a
 * neighbor to resolve (smoltcp's `SocketMeta`).
 *
 * When a socket has a packet to send but the next hop's link-layer address is unknown, the
 * interface sends one ARP request or neighbor solicitation and marks the socket *waiting*: the
 * packet stays in the socket (there is no hidden queue in the interface), and the socket is not
 * offered the link again until the neighbor answers or `neighborRequestInterval` (1 s) has
 * passed, when the interface asks again. So at most one request per second goes out per
 * unresolved neighbor, per socket.
 */
import { IpAddress } from "../wire/ip.js";
import { type Instant, instantReached, durationUntil } from "../time.js";

/** The three answers of `pollDelay`: a socket needs polling now, at a time, or only on ingress. */
export const POLL_NOW = 0;
/** `pollDelay` value of a socket with nothing to do until a packet arrives. */
export const POLL_INGRESS = -1;

export class SocketMeta {
  /** The socket's handle in its `SocketSet` (-1 until added). */
  handle = -1;
  /** Whether the socket waits for `neighbor` to resolve. */
  waiting = false;
  /** The next hop the socket waits for (valid while `waiting`). */
  readonly neighbor = new IpAddress();
  /** When the interface may ask for `neighbor` again (valid while `waiting`). */
  silentUntil: Instant = 0;

  /** Marks the socket as waiting for `neighbor` until `now + interval`. */
  neighborMissing(now: Instant, neighbor: IpAddress, interval: number): void {
    this.waiting = true;
    this.neighbor.copyFrom(neighbor);
    this.silentUntil = (now + interval) | 0;
  }

  /**
   * Whether the socket may try to send now. `resolved` says whether the neighbor it waits for
   * is now in the cache. A socket that may send stops waiting.
   */
  egressPermitted(now: Instant, resolved: boolean): boolean {
    if (!this.waiting) return true;
    if (resolved || instantReached(now, this.silentUntil)) {
      this.waiting = false;
      return true;
    }
    return false;
  }

  /**
   * Combines the socket's own `pollDelay` with the waiting state: a waiting socket needs no
   * polling before `silentUntil` (unless its neighbor resolves, which ingress handles).
   */
  pollDelay(now: Instant, socketDelay: number, resolved: boolean): number {
    if (!this.waiting || resolved || socketDelay === POLL_INGRESS) return socketDelay;
    const wait = durationUntil(now, this.silentUntil);
    return wait > socketDelay ? wait : socketDelay;
  }
}
