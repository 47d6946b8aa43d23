/**
 * ENC28J60 register map, SPI opcodes and bit definitions (Microchip DS39662E, tables 3-1, 3-2,
 * 4-1 and the register descriptions; the facts are collected in
 * `shared/research/moddable-enc28j60.md` §D.2–D.4, §D.7, §D.8).
 *
 * A control register is named by one integer: bits 4:0 the address inside the bank, bits 6:5
 * the bank (ECON1.BSEL1:0), bit 7 set for a MAC or MII register ("M" in the datasheet), which
 * returns a dummy byte before its value on RCR and may not be the target of BFS/BFC. The
 * registers at 0x1B–0x1F exist in every bank. Only `const` numbers here: the module survives
 * XS preload and costs no RAM.
 */

// ---- SPI instruction set (datasheet table 4-1) ---------------------------------------------
/** Read Control Register: `000aaaaa`, then one byte in (two for MAC/MII: a dummy first). */
export const OP_RCR = 0x00;
/** Read Buffer Memory: `00111010`, then bytes from ERDPT. */
export const OP_RBM = 0x3a;
/** Write Control Register: `010aaaaa`, then one data byte. */
export const OP_WCR = 0x40;
/** Write Buffer Memory: `01111010`, then bytes to EWRPT. */
export const OP_WBM = 0x7a;
/** Bit Field Set: `100aaaaa`, then a mask (ETH registers only). */
export const OP_BFS = 0x80;
/** Bit Field Clear: `101aaaaa`, then a mask (ETH registers only). */
export const OP_BFC = 0xa0;
/** System Reset Command: `11111111`. */
export const OP_SRC = 0xff;

/** Bit 7 of a register name: a MAC/MII register (dummy byte on read, no BFS/BFC). */
export const REG_MAC_MII = 0x80;
/** Mask of the address inside a bank. */
export const REG_ADDR_MASK = 0x1f;
/** First address common to every bank. */
export const REG_COMMON_FIRST = 0x1b;

// ---- Common registers (every bank) -----------------------------------------------------------
export const EIE = 0x1b;
export const EIR = 0x1c;
export const ESTAT = 0x1d;
export const ECON2 = 0x1e;
export const ECON1 = 0x1f;

// ---- Bank 0 ----------------------------------------------------------------------------------
export const ERDPTL = 0x00;
export const ERDPTH = 0x01;
export const EWRPTL = 0x02;
export const EWRPTH = 0x03;
export const ETXSTL = 0x04;
export const ETXSTH = 0x05;
export const ETXNDL = 0x06;
export const ETXNDH = 0x07;
export const ERXSTL = 0x08;
export const ERXSTH = 0x09;
export const ERXNDL = 0x0a;
export const ERXNDH = 0x0b;
export const ERXRDPTL = 0x0c;
export const ERXRDPTH = 0x0d;
export const ERXWRPTL = 0x0e;
export const ERXWRPTH = 0x0f;

// ---- Bank 1 ----------------------------------------------------------------------------------
export const EHT0 = 0x20;
export const EHT7 = 0x27;
export const ERXFCON = 0x38;
export const EPKTCNT = 0x39;

// ---- Bank 2 (MAC and MII registers) ----------------------------------------------------------
export const MACON1 = 0x40 | REG_MAC_MII;
export const MACON3 = 0x42 | REG_MAC_MII;
export const MACON4 = 0x43 | REG_MAC_MII;
export const MABBIPG = 0x44 | REG_MAC_MII;
export const MAIPGL = 0x46 | REG_MAC_MII;
export const MAIPGH = 0x47 | REG_MAC_MII;
export const MACLCON1 = 0x48 | REG_MAC_MII;
export const MACLCON2 = 0x49 | REG_MAC_MII;
export const MAMXFLL = 0x4a | REG_MAC_MII;
export const MAMXFLH = 0x4b | REG_MAC_MII;
export const MICMD = 0x52 | REG_MAC_MII;
export const MIREGADR = 0x54 | REG_MAC_MII;
export const MIWRL = 0x56 | REG_MAC_MII;
export const MIWRH = 0x57 | REG_MAC_MII;
export const MIRDL = 0x58 | REG_MAC_MII;
export const MIRDH = 0x59 | REG_MAC_MII;

// ---- Bank 3 ----------------------------------------------------------------------------------
/** MAADR5: the fifth octet of the MAC address (address 0x00 of bank 3). */
export const MAADR5 = 0x60 | REG_MAC_MII;
export const MAADR6 = 0x61 | REG_MAC_MII;
export const MAADR3 = 0x62 | REG_MAC_MII;
export const MAADR4 = 0x63 | REG_MAC_MII;
/** MAADR1: the first octet of the MAC address (address 0x04 of bank 3). */
export const MAADR1 = 0x64 | REG_MAC_MII;
export const MAADR2 = 0x65 | REG_MAC_MII;
export const MISTAT = 0x6a | REG_MAC_MII;
export const EREVID = 0x72;

// ---- Bits ------------------------------------------------------------------------------------
export const EIE_INTIE = 0x80;
export const EIE_PKTIE = 0x40;
export const EIE_DMAIE = 0x20;
export const EIE_LINKIE = 0x10;
export const EIE_TXIE = 0x08;
export const EIE_TXERIE = 0x02;
export const EIE_RXERIE = 0x01;

export const EIR_PKTIF = 0x40;
export const EIR_DMAIF = 0x20;
export const EIR_LINKIF = 0x10;
export const EIR_TXIF = 0x08;
export const EIR_TXERIF = 0x02;
export const EIR_RXERIF = 0x01;

export const ESTAT_INT = 0x80;
export const ESTAT_BUFER = 0x40;
export const ESTAT_LATECOL = 0x10;
export const ESTAT_RXBUSY = 0x04;
export const ESTAT_TXABRT = 0x02;
export const ESTAT_CLKRDY = 0x01;

export const ECON2_AUTOINC = 0x80;
export const ECON2_PKTDEC = 0x40;
export const ECON2_PWRSV = 0x20;
export const ECON2_VRPS = 0x08;

export const ECON1_TXRST = 0x80;
export const ECON1_RXRST = 0x40;
export const ECON1_DMAST = 0x20;
export const ECON1_CSUMEN = 0x10;
export const ECON1_TXRTS = 0x08;
export const ECON1_RXEN = 0x04;
export const ECON1_BSEL = 0x03;

export const ERXFCON_UCEN = 0x80;
export const ERXFCON_ANDOR = 0x40;
export const ERXFCON_CRCEN = 0x20;
export const ERXFCON_PMEN = 0x10;
export const ERXFCON_MPEN = 0x08;
export const ERXFCON_HTEN = 0x04;
export const ERXFCON_MCEN = 0x02;
export const ERXFCON_BCEN = 0x01;

export const MACON1_TXPAUS = 0x08;
export const MACON1_RXPAUS = 0x04;
export const MACON1_PASSALL = 0x02;
export const MACON1_MARXEN = 0x01;

export const MACON3_PADCFG0 = 0x20;
export const MACON3_TXCRCEN = 0x10;
export const MACON3_FRMLNEN = 0x02;
export const MACON3_FULDPX = 0x01;

export const MACON4_DEFER = 0x40;

export const MICMD_MIISCAN = 0x02;
export const MICMD_MIIRD = 0x01;
export const MISTAT_BUSY = 0x01;

// ---- PHY registers (16-bit, over MII) --------------------------------------------------------
export const PHCON1 = 0x00;
export const PHSTAT1 = 0x01;
export const PHID1 = 0x02;
export const PHID2 = 0x03;
export const PHCON2 = 0x10;
export const PHSTAT2 = 0x11;
export const PHIE = 0x12;
export const PHIR = 0x13;
export const PHLCON = 0x14;

export const PHCON1_PRST = 0x8000;
export const PHCON1_PDPXMD = 0x0100;
export const PHSTAT1_LLSTAT = 0x0004;
export const PHCON2_HDLDIS = 0x0100;
export const PHSTAT2_LSTAT = 0x0400;
export const PHSTAT2_DPXSTAT = 0x0200;
export const PHIE_PLNKIE = 0x0010;
export const PHIE_PGEIE = 0x0002;
export const PHIR_PLNKIF = 0x0010;
export const PHIR_PGIF = 0x0004;

// ---- Receive status vector (the 4 octets after the next packet pointer) ---------------------
/** RSV bit 20 (bit 4 of octet 2): CRC error. */
export const RSV_CRC_ERROR = 0x10;
/** RSV bit 21 (bit 5 of octet 2): length check error (type/length field ≤ 1500 ≠ data length). */
export const RSV_LENGTH_CHECK_ERROR = 0x20;
/** RSV bit 22 (bit 6 of octet 2): length out of range, i.e. a type field > 1500: normal for Ethernet II. */
export const RSV_LENGTH_OUT_OF_RANGE = 0x40;
/** RSV bit 23 (bit 7 of octet 2): received OK. */
export const RSV_RECEIVED_OK = 0x80;
/** RSV bit 24 (bit 0 of octet 3): multicast destination. */
export const RSV_MULTICAST = 0x01;
/** RSV bit 25 (bit 1 of octet 3): broadcast destination. */
export const RSV_BROADCAST = 0x02;

// ---- Transmit status vector (7 octets written at ETXND + 1) ---------------------------------
/** TSV bit 23 (bit 7 of octet 2): transmission done. */
export const TSV_DONE = 0x80;
/** TSV bit 24 (bit 0 of octet 3): multicast. */
export const TSV_MULTICAST = 0x01;
/** TSV bit 25 (bit 1 of octet 3): broadcast. */
export const TSV_BROADCAST = 0x02;
/** TSV bit 28 (bit 4 of octet 3): excessive collisions (abort). */
export const TSV_EXCESSIVE_COLLISION = 0x10;
/** TSV bit 29 (bit 5 of octet 3): late collision (abort). */
export const TSV_LATE_COLLISION = 0x20;

/** Per-packet control byte: bit 0 POVERRIDE (use bits 3:1 instead of MACON3). */
export const PPCB_POVERRIDE = 0x01;
export const PPCB_PCRCEN = 0x02;
export const PPCB_PPADEN = 0x04;

/** The last address of the 8 KiB buffer memory. */
export const BUFFER_END = 0x1fff;
/** Largest frame on the wire with its CRC (MAMXFL). */
export const MAX_FRAME_WITH_CRC = 1518;
/** Revision IDs in EREVID (silicon B1, B4, B5, B7). */
export const REV_B1 = 0x02;
export const REV_B4 = 0x04;
export const REV_B5 = 0x05;
export const REV_B7 = 0x06;

/**
 * The hash table index of a destination MAC address (datasheet §8.2.5, "Hash Table Filter"):
 * "a 32-bit CRC over the six destination address bytes ... using the polynomial 4C11DB7h", of
 * which bits 28:23 form a 6-bit pointer: bits 28:26 select EHT0..EHT7, bits 25:23 the bit in it.
 * The CRC is the MAC's own shift register as it runs over the address on the wire: each octet
 * least significant bit first, the register shifted left (MSB first), preset to all ones, and
 * NOT complemented at the end (Microchip's own driver reads the pointer from that register).
 * That register is the bit-reversal of the usual reflected CRC-32 before its final complement;
 * `test/drivers/enc28j60/hash.test.ts` checks the relation against a table-free reference.
 * Reads `mac` at `off`. Init-time helper (a bit loop), not for the packet path.
 */
export function hashTableIndex(mac: Uint8Array, off: number): number {
  let crc = -1;
  for (let i = 0; i < 6; i++) {
    let octet = mac[off + i];
    for (let b = 0; b < 8; b++) {
      const feedback = ((crc >>> 31) ^ octet) & 1;
      crc <<= 1;
      if (feedback !== 0) crc ^= 0x04c11db7;
      octet >>>= 1;
    }
  }
  return (crc >>> 23) & 0x3f;
}
