/**
 * TensorBoard's event-file format, written by hand so that exporting a run's curves
 * needs neither TensorFlow nor a protobuf package: a file is a sequence of TFRecords,
 * each holding one serialized `tensorflow.Event` (tensorflow/core/util/event.proto).
 * Only what scalar curves need is here: the file_version event TensorBoard looks for
 * first, then events whose summary holds simple_value scalars.
 */
import { concatenated } from '../../src-shared/typed-arrays.js';

/** CRC-32C (Castagnoli), reflected polynomial: TFRecord checksums use it, not zlib's CRC-32. */
const CRC32C_POLYNOMIAL = 0x82f63b78;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLYNOMIAL : crc >>> 1;
    table[byte] = crc >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord stores CRCs rotated and offset, so a CRC of data that embeds CRCs stays meaningful. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One record: length (uint64 LE), masked CRC of the length bytes, the data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return record;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** The few protobuf field encodings an Event needs. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  /** Non-negative integers only (steps, lengths), up to 2^53: arithmetic, because bit operators stop at 32 bits. */
  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Cannot encode ${value} as a varint`);
    while (value >= 0x80) {
      this.bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.bytes.push(value);
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private fixed(byteLength: number, write: (view: DataView) => void): void {
    const view = new DataView(new ArrayBuffer(byteLength));
    write(view);
    this.bytes.push(...new Uint8Array(view.buffer));
  }

  uint(field: number, value: number): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  double(field: number, value: number): this {
    this.key(field, WIRE_FIXED64);
    this.fixed(8, (view) => view.setFloat64(0, value, true));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    this.fixed(4, (view) => view.setFloat32(0, value, true));
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(data.length);
    this.bytes.push(...data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** What TensorBoard expects in the first record of an event file. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

export interface ScalarValue {
  tag: string;
  value: number;
}

export type TensorBoardEvent = { wallTime: number; step: number } & (
  { fileVersion: string } | { scalars: readonly ScalarValue[] }
);

// Field numbers of event.proto's Event and summary.proto's Summary and Summary.Value.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5 } as const;
const SUMMARY = { value: 1 } as const;
const SUMMARY_VALUE = { tag: 1, simpleValue: 2 } as const;

export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const writer = new ProtoWriter().double(EVENT.wallTime, event.wallTime).uint(EVENT.step, event.step);
  if ('fileVersion' in event) return writer.string(EVENT.fileVersion, event.fileVersion).finish();
  const summary = new ProtoWriter();
  for (const scalar of event.scalars) {
    const value = new ProtoWriter()
      .string(SUMMARY_VALUE.tag, scalar.tag)
      .float(SUMMARY_VALUE.simpleValue, scalar.value)
      .finish();
    summary.bytesField(SUMMARY.value, value);
  }
  return writer.bytesField(EVENT.summary, summary.finish()).finish();
}

/** A whole event file: each event framed as a TFRecord, in order. */
export function eventFileBytes(events: readonly TensorBoardEvent[]): Uint8Array {
  const records = events.map((event) => tfRecord(encodeEvent(event)));
  return concatenated(records, (length) => new Uint8Array(length));
}
