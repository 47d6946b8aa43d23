/**
 * Bundle-time feature switches, in the manner of smoltcp's Cargo features.
 *
 * Every switch is a `const` that the core tests with a plain `if`. The rollup configuration
 * (`rollup.config.js`, `featureBundle`) rewrites the values of this module for a feature subset,
 * and rollup's tree-shaking then drops the branches that became dead and every module that only
 * they used, so a firmware without IPv6 or without TCP does not carry that code. Node tests and
 * the full bundle run with every protocol feature on.
 *
 * | switch        | smoltcp feature | what it keeps                                        |
 * | ------------- | --------------- | ---------------------------------------------------- |
 * | PROTO_IPV4    | proto-ipv4      | IPv4, ARP, ICMPv4, IGMP                               |
 * | PROTO_IPV6    | proto-ipv6      | IPv6, extension headers, ICMPv6, NDISC                |
 * | SOCKET_TCP    | socket-tcp      | the TCP wire format and socket                        |
 * | SOCKET_UDP    | socket-udp      | the UDP wire format and socket                        |
 * | SOCKET_RAW    | socket-raw      | raw IP sockets                                        |
 * | SOCKET_ICMP   | socket-icmp     | ICMP sockets                                          |
 * | LOG           | log             | trace and debug messages (no string is built when off)|
 * | VERBOSE       | verbose         | per-octet messages, on top of LOG                     |
 */

export const PROTO_IPV4 = true;
export const PROTO_IPV6 = true;
export const SOCKET_TCP = true;
export const SOCKET_UDP = true;
export const SOCKET_RAW = true;
export const SOCKET_ICMP = true;
export const LOG = true;
export const VERBOSE = false;
