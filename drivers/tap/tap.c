/*
 * smoltcp-ts: the Linux shim under TapInterface and RawSocketDevice (drivers/tap/index.ts).
 *
 * Plain C against Node-API (node_api.h) and libuv (uv.h), both part of Node's headers. It does
 * the few things JavaScript cannot do on Node, and nothing else:
 *
 *   openTap(name)                       -> fd   /dev/net/tun, IFF_TAP | IFF_NO_PI, non-blocking
 *   openRaw(name, promiscuous)          -> fd   AF_PACKET / SOCK_RAW / ETH_P_ALL bound to `name`
 *   interfaceMtu(name)                  -> the IP MTU of a network interface (SIOCGIFMTU)
 *   read(fd, bytes, off, max)           -> length of one frame, 0 if none waits, -errno
 *   readPacket(fd, bytes, off, max, skipOutgoing)
 *                                       -> the same for an AF_PACKET socket: frames longer than
 *                                          `max` are consumed and answered with -EMSGSIZE, and
 *                                          with skipOutgoing the frames the host itself sends on
 *                                          the interface (PACKET_OUTGOING) are skipped
 *   write(fd, bytes, off, len)          -> octets written, 0 when the device is busy, -errno
 *   close(fd)
 *   waiterCreate(fd, callback)          -> a waiter (an external): one uv_poll_t on `fd` plus one
 *                                          uv_timer_t, and the callback, given once
 *   waiterArm(waiter, timeoutMs, watchReadable)
 *                                       watch `fd` for readability (unless watchReadable is
 *                                       false) and, if timeoutMs >= 0, start the timer; the first
 *                                       of the two to fire disarms both and calls
 *                                       callback(readable: boolean) once
 *   waiterDisarm(waiter), waiterClose(waiter)
 *
 * The packet path (read, readPacket, write, waiterArm and the callback) allocates nothing: the
 * frame goes straight between the kernel and the caller's Uint8Array, numbers returned are
 * small integers (no heap object in V8), booleans are the engine's singletons. Errors on the
 * packet path are returned as negative errno values, not thrown; only the set-up functions
 * throw (a JavaScript Error naming the interface and strerror(errno)).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include <node_api.h>
#include <uv.h>

/* ---- helpers ---------------------------------------------------------------------------- */

#define CHECK(call)                                                                        \
  do {                                                                                     \
    if ((call) != napi_ok) {                                                               \
      napi_throw_error(env, NULL, "smoltcp_tap: Node-API call failed: " #call);            \
      return NULL;                                                                         \
    }                                                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, const char *name, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s %s: %s", what, name, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* The set-up call on `fd` failed: closes it and throws, naming errno as the call left it. */
static napi_value close_and_throw(napi_env env, int fd, const char *what, const char *name) {
  int err = errno;
  close(fd);
  return throw_errno(env, what, name, err);
}

static napi_value int_value(napi_env env, int32_t n) {
  napi_value v;
  if (napi_create_int32(env, n, &v) != napi_ok) return NULL;
  return v;
}

/* Reads an interface name argument into `out` (IFNAMSIZ octets, NUL-terminated). */
static int get_ifname(napi_env env, napi_value v, char *out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "the interface name must be a string");
    return -1;
  }
  if (len == 0 || len > IFNAMSIZ - 1) {
    napi_throw_range_error(env, NULL, "an interface name has 1 to 15 octets");
    return -1;
  }
  if (napi_get_value_string_utf8(env, v, out, IFNAMSIZ, &len) != napi_ok) return -1;
  return 0;
}

/* The memory of a Uint8Array argument, checked against [off, off + len). */
static uint8_t *get_bytes(napi_env env, napi_value v, int32_t off, int32_t len) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "expected a Uint8Array");
    return NULL;
  }
  if (off < 0 || len < 0 || (size_t)off + (size_t)len > length) {
    napi_throw_range_error(env, NULL, "offset and length leave the Uint8Array");
    return NULL;
  }
  return (uint8_t *)data + off;
}

/* ---- opening ---------------------------------------------------------------------------- */

static napi_value open_tap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[IFNAMSIZ];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || get_ifname(env, argv[0], name) < 0) return NULL;
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun for", name, errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) return close_and_throw(env, fd, "TUNSETIFF (IFF_TAP | IFF_NO_PI)", name);
  return int_value(env, fd);
}

static napi_value open_raw(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char name[IFNAMSIZ];
  bool promiscuous = false;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || get_ifname(env, argv[0], name) < 0) return NULL;
  if (argc >= 2) CHECK(napi_get_value_bool(env, argv[1], &promiscuous));
  unsigned index = if_nametoindex(name);
  if (index == 0) return throw_errno(env, "no network interface", name, errno);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET) for", name, errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)index;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) return close_and_throw(env, fd, "bind AF_PACKET socket to", name);
  if (promiscuous) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = (int)index;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) return close_and_throw(env, fd, "PACKET_MR_PROMISC on", name);
  }
  return int_value(env, fd);
}

static napi_value interface_mtu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[IFNAMSIZ];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || get_ifname(env, argv[0], name) < 0) return NULL;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return throw_errno(env, "socket(AF_INET) to ask the MTU of", name, errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(s, SIOCGIFMTU, &ifr) < 0) return close_and_throw(env, s, "SIOCGIFMTU", name);
  close(s);
  return int_value(env, ifr.ifr_mtu);
}

/* ---- the packet path -------------------------------------------------------------------- */

/* Parses (fd, bytes, off, len) into fd and a pointer; NULL after throwing. */
static uint8_t *frame_args(napi_env env, napi_callback_info info, napi_value *argv, size_t want, int32_t *fd, int32_t *len) {
  size_t argc = want;
  int32_t off;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, NULL, "expected (fd, bytes, offset, length)");
    return NULL;
  }
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok || napi_get_value_int32(env, argv[2], &off) != napi_ok ||
      napi_get_value_int32(env, argv[3], len) != napi_ok) {
    napi_throw_type_error(env, NULL, "fd, offset and length must be numbers");
    return NULL;
  }
  return get_bytes(env, argv[1], off, *len);
}

static napi_value read_frame(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, max;
  uint8_t *p = frame_args(env, info, argv, 4, &fd, &max);
  if (p == NULL) return NULL;
  for (;;) {
    ssize_t n = read(fd, p, (size_t)max);
    if (n >= 0) return int_value(env, (int32_t)n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return int_value(env, 0);
    return int_value(env, -errno);
  }
}

static napi_value read_packet(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t fd, max;
  bool skip_outgoing = false;
  uint8_t *p = frame_args(env, info, argv, 5, &fd, &max);
  if (p == NULL) return NULL;
  if (napi_get_value_bool(env, argv[4], &skip_outgoing) != napi_ok) skip_outgoing = false;
  for (;;) {
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof from;
    /* MSG_TRUNC: the return value is the frame's real length, even when it did not fit. */
    ssize_t n = recvfrom(fd, p, (size_t)max, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return int_value(env, 0);
      return int_value(env, -errno);
    }
    if (skip_outgoing && from.sll_pkttype == PACKET_OUTGOING) continue;
    if (n > max) return int_value(env, -EMSGSIZE);
    if (n == 0) continue;
    return int_value(env, (int32_t)n);
  }
}

static napi_value write_frame(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, len;
  uint8_t *p = frame_args(env, info, argv, 4, &fd, &len);
  if (p == NULL) return NULL;
  for (;;) {
    ssize_t n = write(fd, p, (size_t)len);
    if (n >= 0) return int_value(env, (int32_t)n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return int_value(env, 0);
    return int_value(env, -errno);
  }
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected (fd)");
    return NULL;
  }
  if (close(fd) < 0) return int_value(env, -errno);
  return int_value(env, 0);
}

/* ---- the readiness wait ----------------------------------------------------------------- */

typedef struct {
  napi_env env;
  uv_poll_t poll;
  uv_timer_t timer;
  napi_ref callback;
  napi_ref resource;
  napi_async_context context;
  int fd;
  int polling;   /* the uv_poll_t is started */
  int timing;    /* the uv_timer_t is started */
  int closing;   /* waiterClose was called: 2 handles to close, then free */
  int open_handles;
} Waiter;

static void waiter_stop(Waiter *w) {
  if (w->polling) {
    uv_poll_stop(&w->poll);
    w->polling = 0;
  }
  if (w->timing) {
    uv_timer_stop(&w->timer);
    w->timing = 0;
  }
}

/* Calls the JavaScript callback once with `readable`, as an async callback (so that microtasks
 * run afterwards and an exception it throws becomes an uncaught exception). */
static void waiter_fire(Waiter *w, bool readable) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value cb, recv, arg, result;
  waiter_stop(w);
  if (w->closing) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && napi_get_reference_value(env, w->resource, &recv) == napi_ok &&
      napi_get_boolean(env, readable, &arg) == napi_ok) {
    if (napi_make_callback(env, w->context, recv, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  Waiter *w = (Waiter *)handle->data;
  /* status < 0 (an error on the fd): report it as readable, so that read() returns the error. */
  waiter_fire(w, true);
}

static void on_timer(uv_timer_t *handle) {
  waiter_fire((Waiter *)handle->data, false);
}

static void on_closed(uv_handle_t *handle) {
  Waiter *w = (Waiter *)handle->data;
  if (--w->open_handles == 0) free(w);
}

static napi_value waiter_create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], resource, name, external;
  int32_t fd;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "expected (fd, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  Waiter *w = (Waiter *)calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  w->env = env;
  w->fd = fd;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r != 0) {
    free(w);
    char msg[128];
    snprintf(msg, sizeof msg, "uv_poll_init(fd %d): %s", fd, uv_strerror(r));
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  uv_timer_init(loop, &w->timer);
  w->poll.data = w;
  w->timer.data = w;
  w->open_handles = 2;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_string_utf8(env, "smoltcp-ts:TapWaiter", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &w->context));
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  CHECK(napi_create_reference(env, resource, 1, &w->resource));
  CHECK(napi_create_external(env, w, NULL, NULL, &external));
  return external;
}

static Waiter *get_waiter(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "expected a waiter");
    return NULL;
  }
  Waiter *w = (Waiter *)p;
  if (w->closing) {
    napi_throw_error(env, NULL, "the waiter is closed");
    return NULL;
  }
  return w;
}

static napi_value waiter_arm(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t timeout = -1;
  bool watch = true;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Waiter *w = argc >= 1 ? get_waiter(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  if (argc >= 2 && napi_get_value_int32(env, argv[1], &timeout) != napi_ok) timeout = -1;
  if (argc >= 3 && napi_get_value_bool(env, argv[2], &watch) != napi_ok) watch = true;
  if (!watch && w->polling) {
    uv_poll_stop(&w->poll);
    w->polling = 0;
  }
  if (watch && !w->polling) {
    int r = uv_poll_start(&w->poll, UV_READABLE, on_poll);
    if (r != 0) return int_value(env, r);
    w->polling = 1;
  }
  if (w->timing) {
    uv_timer_stop(&w->timer);
    w->timing = 0;
  }
  if (timeout >= 0) {
    uv_timer_start(&w->timer, on_timer, (uint64_t)timeout, 0);
    w->timing = 1;
  }
  return int_value(env, 0);
}

static napi_value waiter_disarm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Waiter *w = argc >= 1 ? get_waiter(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  waiter_stop(w);
  return int_value(env, 0);
}

static napi_value waiter_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Waiter *w = argc >= 1 ? get_waiter(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  waiter_stop(w);
  w->closing = 1;
  napi_delete_reference(env, w->callback);
  napi_delete_reference(env, w->resource);
  napi_async_destroy(env, w->context);
  uv_close((uv_handle_t *)&w->poll, on_closed);
  uv_close((uv_handle_t *)&w->timer, on_closed);
  return int_value(env, 0);
}

/* ---- the module ------------------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openTap", NULL, open_tap, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openRaw", NULL, open_raw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"interfaceMtu", NULL, interface_mtu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"read", NULL, read_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readPacket", NULL, read_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, write_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waiterCreate", NULL, waiter_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waiterArm", NULL, waiter_arm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waiterDisarm", NULL, waiter_disarm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waiterClose", NULL, waiter_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
