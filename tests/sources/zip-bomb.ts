/*
 * Zip archives built byte by byte for the size-limit tests, including zip bombs: an entry of
 * N MiB of zeros costs about 1 kB per MiB compressed and is written without ever holding the
 * N MiB. zlib compresses one MiB of zeros with a full flush, which resets its state, so that block
 * is valid after any other and the entry is that block N times plus the empty final block.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

export type ZipEntry = {
  readonly name: string;
  /** Raw DEFLATE data. */
  readonly data: Uint8Array;
  readonly crc: number;
  /** The uncompressed size the archive declares (a bomb may lie). */
  readonly declaredSize: number;
};

const MiB = 1024 * 1024;
/** An empty fixed-Huffman block with BFINAL set: the end of a DEFLATE stream. */
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

/** An entry holding `bytes`, deflated. */
export function fileEntry(name: string, bytes: Uint8Array): ZipEntry {
  return { name, data: deflateRawSync(bytes), crc: crc32(bytes), declaredSize: bytes.length };
}

/**
 * An entry of `mib` MiB of zeros. A bomb may lie: `declaredSize` defaults to the truth, and
 * `skipCrc` writes CRC 0 instead of computing it (3 GiB take a second and a half; a reader that
 * stops at its limit never gets to compare it).
 */
export function zerosEntry(
  name: string,
  mib: number,
  options: { readonly declaredSize?: number; readonly skipCrc?: boolean } = {},
): ZipEntry {
  const zeros = new Uint8Array(MiB);
  const block = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const data = new Uint8Array(block.length * mib + FINAL_EMPTY_BLOCK.length);
  let crc = 0;
  for (let i = 0; i < mib; i++) {
    data.set(block, i * block.length);
    if (options.skipCrc !== true) crc = crc32(zeros, crc);
  }
  data.set(FINAL_EMPTY_BLOCK, block.length * mib);
  return { name, data, crc, declaredSize: options.declaredSize ?? mib * MiB };
}

/** A zip archive (PKZIP 2.0, DEFLATE, no data descriptors) of `entries`. */
export function buildZip(entries: readonly ZipEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // DEFLATE
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(entry.crc >>> 0, 16);
    header.writeUInt32LE(entry.data.length, 20);
    header.writeUInt32LE(entry.declaredSize, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, Buffer.from(entry.data));
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}
