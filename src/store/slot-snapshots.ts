import { promisify } from "node:util";
import { gzip, gzipSync } from "node:zlib";
import type { Weekday } from "../domain/calendar.ts";
import type { CycleSlot } from "../domain/plan-types.ts";
import type { Shift } from "../domain/roster.ts";
import { sha256Hex } from "./raw-captures.ts";

/*
 * A week's cycle slots are stored as one row per municipality (`slot_snapshots`, schema 7): the
 * slots of its staff in a compact columnar encoding, gzip-compressed, with the SHA-256 and size
 * of the uncompressed bytes checked when read back (as the raw captures are). A run reads and
 * writes a slot per staff member — 1.2 million at German scale — and as table rows they were the
 * bulk of both the run's store time and the store's growth.
 *
 * The encoding (little-endian), version 1:
 *   u8 version · u32 n (slots) · u32 site count, each site id as u16 byte length + UTF-8 ·
 *   u8 shift count, each shift likewise · n × u16 byte length of the employee ids, then the ids'
 *   UTF-8 bytes back to back · four integer columns of n values (cycle week, weekday, shift index,
 *   site index), each a u8 width (1, 2 or 4) and its values (u8, u16, or i32).
 * Repeated texts (site ids, shifts) are written once per blob; slots are in employee-id order.
 */

const gzipAsync = promisify(gzip);

const FORMAT_VERSION = 1;

/**
 * The municipality code of the row holding the slots a schema-5 migration could not place (NULL
 * in `cycle_slots`): codes are above 0, so 0 is no municipality. Each of these slots takes its
 * municipality from its site when read (see loadSlotsBefore).
 */
export const UNPLACED_MUNICIPALITY = 0;

/** One municipality's slots of a week, ready for a `slot_snapshots` row. */
export type PackedSnapshot = {
  readonly municipalityCode: number;
  readonly slots: number;
  /** SHA-256 and size of the uncompressed encoding. */
  readonly sha256: string;
  readonly bytes: number;
  readonly gzip: Uint8Array;
};

/** One municipality's slots: employee ids and their slots, index for index. */
export type SnapshotEntries = {
  readonly municipalityCode: number;
  readonly employeeIds: string[];
  readonly slots: CycleSlot[];
};

/** Level 1: the snapshot is mostly small integers and short ids, and is written every week. */
const GZIP_OPTIONS = { level: 1 };

/** The smallest width (1, 2 or 4 bytes) that holds every value of `values`. */
function widthOf(values: Int32Array): number {
  let min = 0;
  let max = 0;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min < 0 || max > 0xffff) return 4;
  return max > 0xff ? 2 : 1;
}

function writeColumn(out: Buffer, at: number, values: Int32Array): number {
  const width = widthOf(values);
  out[at++] = width;
  if (width === 1) {
    out.set(values, at);
    return at + values.length;
  }
  for (const value of values) {
    if (width === 2) at = out.writeUInt16LE(value, at);
    else at = out.writeInt32LE(value, at);
  }
  return at;
}

/** A whole number that fits an i32 column; anything else is a plan the store cannot hold. */
function int32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new Error(`slot snapshot: ${what} ${value} is not a 32-bit whole number`);
  }
  return value;
}

function sortByEmployeeId(entries: SnapshotEntries): { ids: string[]; slots: CycleSlot[] } {
  const { employeeIds: ids, slots } = entries;
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = (ids[i - 1] as string) < (ids[i] as string);
  if (sorted) return { ids, slots };
  const order = ids.map((_, index) => index);
  order.sort((a, b) => {
    const left = ids[a] as string;
    const right = ids[b] as string;
    return left < right ? -1 : left > right ? 1 : 0;
  });
  return {
    ids: order.map((index) => ids[index] as string),
    slots: order.map((index) => slots[index] as CycleSlot),
  };
}

/** Indexes of the distinct values of `texts` (each value once, in order of first use). */
function dictionaryOf(
  count: number,
  textAt: (index: number) => string,
): { list: string[]; index: Int32Array } {
  const known = new Map<string, number>();
  const list: string[] = [];
  const index = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const value = textAt(i);
    let at = known.get(value);
    if (at === undefined) {
      at = list.length;
      list.push(value);
      known.set(value, at);
    }
    index[i] = at;
  }
  return { list, index };
}

function textsBytes(list: readonly string[]): number {
  let bytes = 0;
  for (const value of list) bytes += 2 + Buffer.byteLength(value, "utf8");
  return bytes;
}

function writeTexts(out: Buffer, at: number, list: readonly string[]): number {
  for (const value of list) {
    const length = out.write(value, at + 2, "utf8");
    out.writeUInt16LE(length, at);
    at += 2 + length;
  }
  return at;
}

/** The uncompressed encoding of one municipality's slots (see the format above). */
export function encodeSlotSnapshot(entries: SnapshotEntries): Buffer {
  const { ids, slots } = sortByEmployeeId(entries);
  const n = ids.length;
  const sites = dictionaryOf(n, (i) => (slots[i] as CycleSlot).siteId);
  const shifts = dictionaryOf(n, (i) => (slots[i] as CycleSlot).shift);
  if (shifts.list.length > 0xff) {
    throw new Error(`slot snapshot of municipality ${entries.municipalityCode}: too many distinct shifts`);
  }
  const cycleWeeks = new Int32Array(n);
  const weekdays = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const slot = slots[i] as CycleSlot;
    cycleWeeks[i] = int32(slot.cycleWeek, "cycle week");
    weekdays[i] = int32(slot.weekday, "weekday");
  }
  const idText = ids.join("");
  const idBytes = Buffer.from(idText, "utf8");
  const ascii = idBytes.length === idText.length;
  const size =
    1 +
    4 +
    4 +
    textsBytes(sites.list) +
    1 +
    textsBytes(shifts.list) +
    2 * n +
    idBytes.length +
    4 * (1 + 4 * n);
  const out = Buffer.alloc(size);
  let at = out.writeUInt8(FORMAT_VERSION, 0);
  at = out.writeUInt32LE(n, at);
  at = out.writeUInt32LE(sites.list.length, at);
  at = writeTexts(out, at, sites.list);
  at = out.writeUInt8(shifts.list.length, at);
  at = writeTexts(out, at, shifts.list);
  for (const id of ids) {
    const length = ascii ? id.length : Buffer.byteLength(id, "utf8");
    if (length > 0xffff) throw new Error("slot snapshot: an employee id longer than 65,535 bytes");
    out[at++] = length & 0xff;
    out[at++] = length >>> 8;
  }
  out.set(idBytes, at);
  at += idBytes.length;
  at = writeColumn(out, at, cycleWeeks);
  at = writeColumn(out, at, weekdays);
  at = writeColumn(out, at, shifts.index);
  at = writeColumn(out, at, sites.index);
  return out.subarray(0, at);
}

/** A packed row's checks and compressed bytes for an encoding. */
function packed(entries: SnapshotEntries, encoded: Buffer, compressed: Uint8Array): PackedSnapshot {
  return {
    municipalityCode: entries.municipalityCode,
    slots: entries.employeeIds.length,
    sha256: sha256Hex(encoded),
    bytes: encoded.byteLength,
    gzip: compressed,
  };
}

/**
 * The snapshot rows of a week: encoded here, compressed on libuv's thread pool (all municipalities
 * at once, beside the encoding of the next), before the week's transaction takes the write lock.
 */
export async function packSlotSnapshots(groups: readonly SnapshotEntries[]): Promise<PackedSnapshot[]> {
  const pending = groups.map((entries) => {
    const encoded = encodeSlotSnapshot(entries);
    return { entries, encoded, compressed: gzipAsync(encoded, GZIP_OPTIONS) };
  });
  const rows: PackedSnapshot[] = [];
  for (const { entries, encoded, compressed } of pending) {
    rows.push(packed(entries, encoded, new Uint8Array(await compressed)));
  }
  return rows;
}

/** One municipality's snapshot row, compressed on this thread (the synchronous SQLite migration). */
export function packSlotSnapshotSync(entries: SnapshotEntries): PackedSnapshot {
  const encoded = encodeSlotSnapshot(entries);
  return packed(entries, encoded, new Uint8Array(gzipSync(encoded, GZIP_OPTIONS)));
}

/** Thrown on an encoding that does not parse; the caller names the snapshot in a StorageError. */
export class MalformedSnapshot extends Error {}

/** Reads the encoding; every read past the end or a bad field is a MalformedSnapshot. */
class Reader {
  readonly bytes: Buffer;
  at = 0;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
  need(count: number): number {
    const at = this.at;
    if (at + count > this.bytes.length) throw new MalformedSnapshot("the encoding ends early");
    this.at = at + count;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)] as number;
  }
  u16(): number {
    return this.bytes.readUInt16LE(this.need(2));
  }
  u32(): number {
    return this.bytes.readUInt32LE(this.need(4));
  }
  texts(count: number, share: (value: string) => string): string[] {
    const list: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = this.u16();
      const start = this.need(length);
      list.push(share(this.bytes.toString("utf8", start, start + length)));
    }
    return list;
  }
  column(n: number): Int32Array {
    const width = this.u8();
    const values = new Int32Array(n);
    if (width === 1) values.set(this.bytes.subarray(this.need(n), this.at));
    else if (width === 2) {
      let at = this.need(2 * n);
      for (let i = 0; i < n; i++, at += 2) values[i] = this.bytes.readUInt16LE(at);
    } else if (width === 4) {
      let at = this.need(4 * n);
      for (let i = 0; i < n; i++, at += 4) values[i] = this.bytes.readInt32LE(at);
    } else throw new MalformedSnapshot(`column width ${width} is not 1, 2 or 4`);
    return values;
  }
}

/**
 * The texts `prefix` + employee id of the `n` ids starting at `at`, each one flat string: the
 * prefixes and ids are laid out as one text decoded once, and each entry is a slice of it (a
 * million `prefix + id` concatenations would each leave a rope and a copy when hashed).
 */
function prefixedIds(bytes: Buffer, lengths: Uint16Array, at: number, prefix: string): string[] {
  const n = lengths.length;
  const head = Buffer.from(prefix, "utf8");
  let idBytes = 0;
  for (const length of lengths) idBytes += length;
  let high = 0;
  for (let i = at; i < at + idBytes; i++) high |= bytes[i] as number;
  const texts = new Array<string>(n);
  if (high >= 0x80 || head.length !== prefix.length) {
    // Not ASCII: byte offsets are not character offsets, so each id is decoded on its own.
    for (let i = 0; i < n; i++) {
      const length = lengths[i] as number;
      texts[i] = prefix + bytes.toString("utf8", at, at + length);
      at += length;
    }
    return texts;
  }
  const laidOut = Buffer.allocUnsafe(n * head.length + idBytes);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < head.length; j++) laidOut[out++] = head[j] as number;
    const length = lengths[i] as number;
    bytes.copy(laidOut, out, at, at + length);
    out += length;
    at += length;
  }
  const all = laidOut.toString("latin1");
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + head.length + (lengths[i] as number);
    texts[i] = all.slice(start, end);
    start = end;
  }
  return texts;
}

/**
 * Visits each slot of an encoding with `prefix` + its employee id. Site ids and shifts go through
 * `share` (one string per distinct text across snapshots), and slots equal in every field are one
 * object (a slot is read-only). A bad encoding is a MalformedSnapshot.
 */
export function decodeSlotSnapshot(
  encoded: Uint8Array,
  prefix: string,
  share: (value: string) => string,
  visit: (text: string, slot: CycleSlot) => void,
): number {
  const reader = new Reader(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength));
  const version = reader.u8();
  if (version !== FORMAT_VERSION)
    throw new MalformedSnapshot(`format version ${version} is not ${FORMAT_VERSION}`);
  const n = reader.u32();
  const sites = reader.texts(reader.u32(), share);
  const shifts = reader.texts(reader.u8(), share);
  const lengths = new Uint16Array(n);
  for (let i = 0; i < n; i++) lengths[i] = reader.u16();
  const idsAt = reader.at;
  let idBytes = 0;
  for (const length of lengths) idBytes += length;
  reader.need(idBytes);
  const cycleWeeks = reader.column(n);
  const weekdays = reader.column(n);
  const shiftIndex = reader.column(n);
  const siteIndex = reader.column(n);
  if (reader.at !== reader.bytes.length) throw new MalformedSnapshot("bytes left after the last column");
  const texts = prefixedIds(reader.bytes, lengths, idsAt, prefix);
  // Slots equal in every field share one object, looked up by site and a small-integer key.
  const same = new Array<Map<number, CycleSlot> | undefined>(sites.length);
  for (let i = 0; i < n; i++) {
    const site = siteIndex[i] as number;
    const shift = shiftIndex[i] as number;
    const cycleWeek = cycleWeeks[i] as number;
    const weekday = weekdays[i] as number;
    const siteId = sites[site];
    const shiftText = shifts[shift];
    if (siteId === undefined || shiftText === undefined) {
      throw new MalformedSnapshot(`slot ${i} names site ${site} or shift ${shift}, not in the snapshot`);
    }
    const small = cycleWeek >= 0 && cycleWeek < 256 && weekday >= 0 && weekday < 256;
    const key = (shift << 16) | (cycleWeek << 8) | weekday;
    let slot = small ? same[site]?.get(key) : undefined;
    if (slot === undefined) {
      slot = { cycleWeek, weekday: weekday as Weekday, shift: shiftText as Shift, siteId };
      if (small) (same[site] ??= new Map()).set(key, slot);
    }
    visit(texts[i] as string, slot);
  }
  return n;
}
