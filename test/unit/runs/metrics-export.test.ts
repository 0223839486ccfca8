/**
 * A run's per-epoch metrics leave Seshat as Keras users read them: a CSV, or a
 * TensorBoard event file. The reader below is written here from the format's
 * description (bit-by-bit CRC, its own protobuf decoding), independently of the
 * writer, so a writer that frames, checksums or encodes wrongly fails these tests.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { Catalog } from '../../../src-main/catalog/index.js';
import { runCli } from '../../../src-main/cli/main.js';
import { metricName, runMetricsCsv, writeRunMetricsEvents } from '../../../src-main/runs/metrics-export.js';
import { crc32c } from '../../../src-main/runs/tensorboard-events.js';
import { tempDir } from '../../helpers/images.js';

// --- an independent reader of TFRecord-framed tensorflow.Event protos -------------

/** Bit by bit, where the writer uses a table: the two agreeing is part of the check. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  for (let offset = 0; offset < file.length;) {
    if (offset + 12 > file.length) throw new Error(`truncated record header at ${offset}`);
    if (view.getUint32(offset + 8, true) !== masked(crc32cBitwise(file.subarray(offset, offset + 8))))
      throw new Error(`length crc mismatch at ${offset}`);
    const start = offset + 12;
    const end = start + Number(view.getBigUint64(offset, true));
    if (end + 4 > file.length) throw new Error(`record at ${offset} runs past the end of the file`);
    const data = file.subarray(start, end);
    if (view.getUint32(end, true) !== masked(crc32cBitwise(data))) throw new Error(`data crc mismatch at ${offset}`);
    records.push(data);
    offset = end + 4;
  }
  return records;
}

interface ProtoField {
  field: number;
  wire: number;
  /** The varint of wire type 0. */
  int?: number;
  /** The payload of wire types 1, 2 and 5. */
  bytes?: Uint8Array;
}

function readFields(message: Uint8Array): ProtoField[] {
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= message.length) throw new Error('varint runs past the message');
      const byte = message[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const take = (length: number) => {
    if (at + length > message.length) throw new Error('field runs past the message');
    return message.subarray(at, (at += length));
  };
  const fields: ProtoField[] = [];
  while (at < message.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) fields.push({ field, wire, int: varint() });
    else if (wire === 1) fields.push({ field, wire, bytes: take(8) });
    else if (wire === 2) fields.push({ field, wire, bytes: take(varint()) });
    else if (wire === 5) fields.push({ field, wire, bytes: take(4) });
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Map<string, number>;
}

function decodeEvent(data: Uint8Array): DecodedEvent {
  const event: DecodedEvent = { wallTime: NaN, step: 0 };
  // Event: 1 wall_time (double), 2 step (varint), 3 file_version (string), 5 summary (message).
  const wireOf: Record<number, number> = { 1: 1, 2: 0, 3: 2, 5: 2 };
  for (const f of readFields(data)) {
    assert.equal(f.wire, wireOf[f.field], `Event field ${f.field}: known, with its wire type`);
    if (f.field === 1) event.wallTime = view(f.bytes!).getFloat64(0, true);
    else if (f.field === 2) event.step = f.int!;
    else if (f.field === 3) event.fileVersion = new TextDecoder().decode(f.bytes);
    else {
      event.scalars = new Map();
      for (const value of readFields(f.bytes!)) {
        assert.deepEqual([value.field, value.wire], [1, 2], 'Summary holds Value messages (field 1)');
        const parts = readFields(value.bytes!);
        const tag = parts.find((p) => p.field === 1 && p.wire === 2);
        const simple = parts.find((p) => p.field === 2 && p.wire === 5);
        assert.ok(tag && simple, 'each Value has a tag and a simple_value');
        event.scalars.set(new TextDecoder().decode(tag.bytes), view(simple.bytes!).getFloat32(0, true));
      }
    }
  }
  return event;
}

// --- a catalog with one run and three epochs ----------------------------------------

const RUN_NAME = 'small-cnn · 2026-12-03 10:15';
const EPOCHS: Array<Record<string, number>> = [
  { loss: 1.25, accuracy: 0.5, imagesPerSecond: 100.5, epochSeconds: 2 },
  { loss: 0.8, accuracy: 0.7, valLoss: 0.9, valAccuracy: 0.65, imagesPerSecond: 110, epochSeconds: 2.1 },
  // A diverged validation loss is NaN, which the catalog's JSON stores as null.
  { loss: 0.61, accuracy: 0.8125, valLoss: NaN, valAccuracy: 0.7, imagesPerSecond: 108.25, epochSeconds: 1.9 },
];

function catalogWithRun(): { catalog: Catalog; runId: number } {
  const catalog = Catalog.open(':memory:');
  const runId = catalog.runs.create({ name: RUN_NAME, preset: 'small-cnn' }).id;
  EPOCHS.forEach((metrics, i) => catalog.runs.addEpoch(runId, i + 1, metrics));
  return { catalog, runId };
}

test('CRC-32C of "123456789" is the standard check value 0xE3069283', () => {
  const bytes = new TextEncoder().encode('123456789');
  assert.equal(crc32c(bytes), 0xe3069283);
  assert.equal(crc32cBitwise(bytes), 0xe3069283, "the test reader's own CRC");
});

test('the CSV has an epoch column, the union of metric names, and an empty cell where an epoch lacks one', (t) => {
  const { catalog, runId } = catalogWithRun();
  t.after(() => catalog.close());
  const { fileName, text } = runMetricsCsv(catalog, runId);
  assert.equal(fileName, `run-${runId}-small-cnn-2026-12-03-10-15-metrics.csv`);
  assert.equal(
    text,
    [
      'epoch,loss,accuracy,val_loss,val_accuracy,images_per_second,epoch_seconds',
      '1,1.25,0.5,,,100.5,2',
      '2,0.8,0.7,0.9,0.65,110,2.1',
      '3,0.61,0.8125,,0.7,108.25,1.9',
      '',
    ].join('\n'),
  );
});

test('the TensorBoard file holds file_version first, then each epoch’s scalars at its step, with valid CRCs', async (t) => {
  const { catalog, runId } = catalogWithRun();
  t.after(() => catalog.close());
  const out = tempDir(t);
  const now = Date.UTC(2026, 11, 3, 12);
  const { dir, files } = await writeRunMetricsEvents(catalog, runId, out, now);
  assert.equal(dir, path.join(out, `run-${runId}-small-cnn-2026-12-03-10-15`));
  assert.deepEqual(files, [path.join(dir, `events.out.tfevents.${now / 1000}.seshat`)]);

  const events = readRecords(readFileSync(files[0]!)).map(decodeEvent);
  assert.deepEqual(
    events.map((event) => event.step),
    [0, 1, 2, 3],
  );
  assert.equal(events[0]!.fileVersion, 'brain.Event:2');
  assert.equal(events[0]!.scalars, undefined);
  const stored = catalog.runs.epochs(runId);
  for (const [i, epoch] of stored.entries()) {
    const event = events[i + 1]!;
    assert.equal(event.fileVersion, undefined);
    assert.equal(event.wallTime, epoch.at / 1000);
    // float32 on the wire: the stored value rounded to float32, exactly; null (NaN) left out.
    const expected = new Map(
      Object.entries(EPOCHS[i]!)
        .filter(([, value]) => Number.isFinite(value))
        .map(([key, value]) => [metricName(key), Math.fround(value)]),
    );
    assert.deepEqual(event.scalars, expected, `epoch ${epoch.epoch}`);
  }

  // Exporting again replaces the earlier file: TensorBoard would draw both.
  const again = await writeRunMetricsEvents(catalog, runId, out, now + 5000);
  assert.deepEqual(readdirSync(dir), [path.basename(again.files[0]!)]);
});

test('the reader rejects a corrupted length, a corrupted payload and a truncated file', async (t) => {
  const { catalog, runId } = catalogWithRun();
  t.after(() => catalog.close());
  const { files } = await writeRunMetricsEvents(catalog, runId, tempDir(t));
  const good = new Uint8Array(readFileSync(files[0]!));
  assert.equal(readRecords(good).length, 4);
  const corrupt = (at: number) => Object.assign(new Uint8Array(good), { [at]: good[at]! ^ 0x01 });
  assert.throws(() => readRecords(corrupt(0)), /length crc mismatch/);
  const secondRecord = 12 + Number(view(good).getBigUint64(0, true)) + 4;
  assert.throws(() => readRecords(corrupt(secondRecord + 12 + 3)), /data crc mismatch/);
  assert.throws(() => readRecords(good.subarray(0, good.length - 1)), /runs past the end/);
});

test('an unknown run is NOT_FOUND; a run without epochs is INVALID_INPUT naming the run', async (t) => {
  const { catalog } = catalogWithRun();
  t.after(() => catalog.close());
  assert.throws(() => runMetricsCsv(catalog, 99), { code: 'NOT_FOUND' });
  await assert.rejects(writeRunMetricsEvents(catalog, 99, tempDir(t)), { code: 'NOT_FOUND' });
  const empty = catalog.runs.create({ name: 'fresh run', preset: 'cnn-plus' }).id;
  assert.throws(() => runMetricsCsv(catalog, empty), { code: 'INVALID_INPUT', message: /"fresh run".*no .*epochs/ });
  await assert.rejects(writeRunMetricsEvents(catalog, empty, tempDir(t)), { code: 'INVALID_INPUT' });
});

test('exportRunMetrics through the API and `seshat runs --metrics` give the same metrics', async (t) => {
  const dir = tempDir(t);
  process.env.SESHAT_USER_DATA = path.join(dir, 'user');
  t.after(() => delete process.env.SESHAT_USER_DATA);
  const project = path.join(dir, 'project');
  const app = AppServices.open({
    userDataDir: path.join(dir, 'user'),
    projectDir: project,
    platform: { transport: 'cli', electronVersion: null },
  });
  const runId = app.catalog.runs.create({ name: RUN_NAME, preset: 'small-cnn' }).id;
  EPOCHS.forEach((metrics, i) => app.catalog.runs.addEpoch(runId, i + 1, metrics));
  const dispatch = createAppDispatcher(app);
  const csv = await dispatch('exportRunMetrics', { runId, format: 'csv' });
  assert.deepEqual(csv, { ok: true, value: runMetricsCsv(app.catalog, runId) });
  const noFolder = await dispatch('exportRunMetrics', { runId, format: 'tensorboard' });
  assert.equal(!noFolder.ok && noFolder.error.code, 'INVALID_INPUT');
  app.close();

  const out: string[] = [];
  const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
  assert.equal(await runCli(['runs', '--project', project, '--metrics', String(runId)], io), 0, out.join('\n'));
  assert.equal(out.splice(0).join(''), (csv.ok && (csv.value as { text: string }).text) || 'no csv');
  const logs = path.join(dir, 'logs');
  const args = ['runs', '--project', project, '--metrics', String(runId), '--format', 'tensorboard'];
  assert.equal(await runCli([...args, '--out', logs, '--json'], io), 0, out.join('\n'));
  const { files } = JSON.parse(out.splice(0).join('')) as { files: string[] };
  assert.equal(readRecords(readFileSync(files[0]!)).length, 4);
  assert.equal(await runCli(args, io), 2, 'tensorboard without --out is refused');
});
