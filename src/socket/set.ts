/**
 * `SocketSet`: the fixed array of socket slots an interface polls (smoltcp's `SocketSet`).
 *
 * The application creates its sockets at start-up (each with its buffers), adds them to a set,
 * and keeps the socket objects to use them; the handle `add` returns is a small integer, the
 * socket's slot. A set never grows: `add` on a full set throws `SocketError(SetFull)`, at
 * configuration time, never later. Removing a socket frees its slot for another.
 */
import { SocketError, SocketErrorCode } from "./error.js";
import type { SocketMeta } from "./meta.js";

/** Socket kinds; the interface switches on them. */
export const enum SocketKind {
  Udp = 1,
  Icmp = 2,
  Raw = 3,
  Tcp = 4,
}

/** What every socket has. */
export interface Socket {
  readonly kind: SocketKind;
  readonly meta: SocketMeta;
}

export class SocketSet {
  /** The slots; null is free. The interface iterates `slots[0 .. capacity)`. */
  readonly slots: (Socket | null)[];
  /** Number of slots. */
  readonly capacity: number;
  private used = 0;

  constructor(capacity = 8) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65535) throw new RangeError("socket set capacity must be an integer from 1 to 65535: " + capacity);
    this.capacity = capacity;
    this.slots = [];
    for (let i = 0; i < capacity; i++) this.slots.push(null);
  }

  /** Adds a socket and returns its handle. Throws `SocketError(SetFull)` when no slot is free. */
  add(socket: Socket): number {
    if (socket.meta.handle >= 0) throw new SocketError(SocketErrorCode.InvalidState, "the socket is already in a set");
    for (let i = 0; i < this.capacity; i++) {
      if (this.slots[i] === null) {
        this.slots[i] = socket;
        socket.meta.handle = i;
        this.used++;
        return i;
      }
    }
    throw new SocketError(SocketErrorCode.SetFull, this.capacity + " slots in use");
  }

  /** The socket with handle `h`. Throws `SocketError(BadHandle)` for a free or invalid slot. */
  get(h: number): Socket {
    const s = h >= 0 && h < this.capacity ? this.slots[h] : null;
    if (s === null) throw new SocketError(SocketErrorCode.BadHandle, String(h));
    return s;
  }

  /** Removes the socket with handle `h` and returns it. */
  remove(h: number): Socket {
    const s = this.get(h);
    this.slots[h] = null;
    s.meta.handle = -1;
    s.meta.waiting = false;
    this.used--;
    return s;
  }

  /** Number of sockets in the set. */
  size(): number {
    return this.used;
  }
}
