/**
 * The ESP32 firmware: smoltcp-ts over an ENC28J60, answering the `server` example's services.
 *
 * Everything comes from the manifest's `config` (see `manifest.json`): the SPI port and pins,
 * the clock, the INT pin, the MAC address, the static IPv4/IPv6 configuration, duplex and the
 * socket buffer sizes. Nothing runs by itself: the INT pin's callback polls the interface
 * (through the driver's `onInterrupt`), and one `Timer`, moved with `Timer.schedule` to the
 * interface's `pollDelay` (at most 1 s, which is also the driver's backup poll), handles the
 * protocol timers. No timer is created per event, and nothing is allocated per packet.
 *
 * The host pieces are the Moddable module specifiers `embedded:io/spi`, `embedded:io/digital`,
 * `timer`, `time` and `mc/config` and the `trace` global; nothing else of the host is touched.
 * On the desktop (`test/host/firmware-desktop.test.ts`) the same file is bundled with those
 * specifiers mapped to stand-ins (`test/firmware/desktop-host.ts`: the emulated chip behind
 * SPI and Digital, a timer list driven by the harness's clock) and run in the XS engine.
 *
 * Timer semantics relied on (Moddable's MCU timer loop, modules/base/timer + the platform's
 * modTimer.c): a repeating timer's next trigger is moved by its interval *before* its callback
 * runs, so a `Timer.schedule` made inside the callback wins; a timer scheduled with interval
 * 0 fires on the next turn of the event loop.
 */
import SPI from "embedded:io/spi";
import Digital from "embedded:io/digital";
import Timer from "timer";
import Time from "time";
import config from "mc/config";
import { EthernetAddress, Interface, Ipv4Cidr, Ipv6Cidr, Ipv6Address, ipv4Parse, SocketSet } from "../src/index.js";
import { Enc28j60 } from "../drivers/enc28j60/index.js";
import { ServerServices } from "./services.js";

/** The longest the timer sleeps: the driver's backup poll period. */
const BACKUP_POLL_MS = 1000;
/** Rounds of poll + services in one turn before the timer or the next INT edge takes over. */
const ROUNDS_PER_TURN = 8;

function num(key: string, fallback: number): number {
  const v = config[key];
  return typeof v === "number" ? v : fallback;
}

function str(key: string, fallback: string): string {
  const v = config[key];
  return typeof v === "string" ? v : fallback;
}

/** The application: one interface, one device, the services' sockets, one timer. */
export class Firmware {
  readonly iface: Interface;
  readonly sockets = new SocketSet(8);
  readonly services: ServerServices;
  readonly device: Enc28j60;
  /** Turns of the event loop that polled (INT callbacks and timer callbacks). */
  turns = 0;
  private readonly timer: object;
  private lastBackup = 0;

  constructor() {
    const mac = EthernetAddress.parse(str("mac", "02-00-00-00-00-01"));
    this.iface = new Interface(mac);
    const v4 = str("ipv4", "192.168.69.1/24").split("/");
    this.iface.addIpv4Address(new Ipv4Cidr(ipv4Parse(v4[0]), parseInt(v4[1], 10)));
    const v6: Ipv6Address[] = [];
    for (const text of [str("ipv6", "fdaa::1/64"), str("ipv6LinkLocal", "fe80::1/64")]) {
      const [a, p] = text.split("/");
      const addr = Ipv6Address.parse(a);
      this.iface.addIpv6Address(new Ipv6Cidr(addr, parseInt(p, 10)));
      v6.push(addr);
    }
    const gateway = str("gateway", "");
    if (gateway) this.iface.routes.addDefaultIpv4Route(ipv4Parse(gateway));
    this.services = new ServerServices(this.sockets, num("echoBuffer", 4096), num("sinkBuffer", 8192), num("sourceBuffer", 4096));
    const self = this;
    this.device = new Enc28j60({
      spi: {
        io: SPI,
        port: num("spiPort", 2),
        clock: num("sck", 0),
        in: num("miso", 35),
        out: num("mosi", 26),
        select: num("cs", 27),
        hz: num("hz", 8_000_000),
      },
      interrupt: { io: Digital, pin: num("int", 33) },
      macAddress: mac,
      delay: (ms: number) => Timer.delay(ms),
      fullDuplex: config.fullDuplex === true,
      onInterrupt() {
        self.poll();
      },
      onLinkChange(up: boolean) {
        trace("enc28j60: link " + (up ? "up" : "down") + "\n");
      },
    });
    // The multicast hash filter: all-nodes, all-systems and our solicited-node groups.
    this.device.setMulticastGroups([], v6);
    this.device.checkLink();
    trace("smoltcp-ts: ENC28J60 rev 0x" + this.device.revision.toString(16) + ", " + mac + ", link " + (this.device.linkUp ? "up" : "down") + "\n");
    // One repeating timer for the whole life of the program, moved by `Timer.schedule`.
    this.timer = Timer.repeat(() => self.tick(), BACKUP_POLL_MS);
    Timer.schedule(this.timer, 0, BACKUP_POLL_MS);
  }

  /** Polls until nothing moves, serves the sockets, and moves the timer to the next deadline. */
  poll(): void {
    const now = Time.ticks | 0;
    this.turns++;
    for (let i = 0; i < ROUNDS_PER_TURN; i++) {
      const moved = this.iface.poll(now, this.device, this.sockets);
      const acted = this.services.step();
      if (!moved && !acted) break;
    }
    if (this.timer !== undefined) {
      const d = this.iface.pollDelay(now, this.sockets);
      Timer.schedule(this.timer, d < 0 || d > BACKUP_POLL_MS ? BACKUP_POLL_MS : d, BACKUP_POLL_MS);
    }
  }

  /** The timer: protocol timers, and once a second the driver's backup poll. */
  tick(): void {
    const now = Time.ticks | 0;
    if (((now - this.lastBackup) | 0) >= BACKUP_POLL_MS) {
      this.lastBackup = now;
      this.device.backupPoll(now);
    }
    this.poll();
  }
}

/** Moddable calls the function `main` exports at start; the instance is returned for xsbug and the desktop harness. */
export default function main(): Firmware {
  return new Firmware();
}
