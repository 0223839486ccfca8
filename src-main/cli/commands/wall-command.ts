/**
 * `seshat wall import|read`: wall photographs with their sign boxes. Import cuts each
 * box into a labelled crop in the project (`walls/<photo>/`) and imports them like any
 * folder; read classifies the boxes with a trained model (adapting to the wall's own
 * crops, as Predict does) and prints them in reading order, as JSON or Manuel de Codage.
 */
import path from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { transcribe } from '../../../src-shared/gardiner/transcription.js';
import { signDetectorDir, signTableFile } from '../../app/paths.js';
import { readingOrder } from '../../walls/reading-order.js';
import { classifierConfidence, directionOf, estimateFacing } from '../../walls/facing.js';
import { cutWall, wallDir } from '../../walls/wall-crops.js';
import type { DecodedPhoto } from '../../walls/crops.js';
import { SignDetector } from '../../walls/find-signs.js';
import { boxesOf, type WallImportResult } from '../../walls/wall-import.js';
import { loadSignTable } from '../../walls/wall-workspace.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession, type CliSession } from '../cli-session.js';
import { parseRunOption } from './eval-command.js';

async function importWalls(session: CliSession, photos: string[], boxesFile: string | undefined) {
  const task = await session.runTask('startWallImport', {
    photos,
    ...(boxesFile ? { boxesFile } : {}),
  });
  if (task.state !== 'done') throw new AppError('CANCELLED', 'Importing the walls was cancelled');
  return task.result as WallImportResult;
}

async function readWall(
  session: CliSession,
  photo: string,
  boxesFile: string | undefined,
  model: string | undefined,
  adapt: boolean,
  mirroredOption: 'auto' | 'yes' | 'no',
) {
  const catalog = session.services.catalog;
  const run = ClassifierCache.resolveRun(catalog, parseRunOption(model));
  const detector = new SignDetector(signDetectorDir());
  const workspace = {
    catalog,
    projectDir: session.services.project.dir,
    thumbnailsDir: null,
    ...(detector.installed() ? { findSigns: (decoded: DecodedPhoto) => detector.find(decoded) } : {}),
  };
  const { signs } = await boxesOf(workspace, photo, boxesFile ? { photos: [photo], boxesFile } : { photos: [photo] });
  if (signs.length === 0) throw new AppError('INVALID_INPUT', `${photo}: no signs found or given (--boxes FILE)`);
  const dir = path.join(wallDir(session.services.project.dir, photo), 'read');
  const manifest = await cutWall(photo, signs, dir, { withLabels: false });
  const task = await session.runTask('startPrediction', {
    runId: run.id,
    target: { kind: 'folders', roots: [dir], adapt },
  });
  if (task.state === 'cancelled') throw new AppError('CANCELLED', 'Reading the wall was cancelled');
  const names = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.id, c.name]));
  const byPath = new Map(catalog.imageRowsAt([dir]).map((row) => [path.join(row.rootPath, row.relPath), row.id]));
  // Which way the signs face: a person's word (here, or in the app on this wall), else the run's judgement.
  const said = catalog.walls.byPhoto(photo)?.facing;
  const facing =
    mirroredOption !== 'auto'
      ? { mirrored: mirroredOption === 'yes', by: 'person' as const }
      : said?.by === 'person'
        ? said
        : {
            ...(await estimateFacing(
              manifest.signs.map((sign) => path.join(dir, sign.file)),
              classifierConfidence(await session.services.classifiers.get(run), { firstMemberOnly: true }),
            )),
            by: 'model' as const,
          };
  const direction = directionOf(facing.mirrored);
  const places = readingOrder(
    manifest.signs.map((sign) => sign.box),
    direction,
  );
  const read = manifest.signs.map((sign, i) => {
    // A crop identical to one already catalogued (the wall was imported) is read through that image.
    const file = path.join(dir, sign.file);
    const imageId = byPath.get(file) ?? catalog.images.findByHash(sign.hash)[0]?.id;
    const prediction = imageId === undefined ? null : catalog.runs.prediction(run.id, imageId);
    const top = (prediction?.topK ?? []).map((t) => [names.get(t.classId) ?? null, t.p] as const);
    return {
      box: [...sign.box],
      label: prediction?.classId == null ? null : (names.get(prediction.classId) ?? null),
      confidence: prediction?.confidence ?? null,
      top,
      order: places[i]!.order,
      column: places[i]!.column,
      row: places[i]!.row,
    };
  });
  read.sort((a, b) => a.order - b.order);
  return {
    photo: manifest.photo,
    width: manifest.width,
    height: manifest.height,
    runId: run.id,
    facing,
    direction,
    signs: read,
  };
}

export const wallCommand: CliCommand = {
  name: 'wall',
  summary: 'Wall photographs: import their sign boxes as crops, or read their signs in order',
  usage:
    'seshat wall import <photo>... --project DIR [--boxes FILE] [--json]\n' +
    '       seshat wall read <photo> --project DIR [--boxes FILE] [--model RUN] [--adapt on|off] [--mirrored auto|yes|no] [--json|--mdc]',
  options: {
    boxes: { type: 'string' },
    model: { type: 'string' },
    adapt: { type: 'string' },
    mirrored: { type: 'string' },
    mdc: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  async run(parsed, io) {
    const [action, ...photos] = parsed.positionals;
    if (action !== 'import' && action !== 'read')
      throw new AppError('INVALID_INPUT', `seshat wall takes import or read, not "${action ?? ''}"`);
    if (photos.length === 0) throw new AppError('INVALID_INPUT', 'Name at least one wall photograph');
    const boxesFile = parsed.values.boxes as string | undefined;
    if (boxesFile && photos.length > 1)
      throw new AppError('INVALID_INPUT', '--boxes belongs to one photograph; name one photo with it');
    const session = openCliSession(parsed, io);
    try {
      if (action === 'import') {
        const result = await importWalls(
          session,
          photos.map((photo) => path.resolve(photo)),
          boxesFile,
        );
        if (parsed.json) printJson(io, result);
        else
          for (const wall of result.walls)
            io.out(`${wall.photo}: ${wall.signs} signs from ${wall.boxes} → ${wall.dir}`);
        return 0;
      }
      if (photos.length > 1) throw new AppError('INVALID_INPUT', 'seshat wall read takes one photograph');
      const adapt = (parsed.values.adapt as string | undefined) ?? 'on';
      if (adapt !== 'on' && adapt !== 'off')
        throw new AppError('INVALID_INPUT', `--adapt takes on or off, not "${adapt}"`);
      const mirrored = (parsed.values.mirrored as string | undefined) ?? 'auto';
      if (mirrored !== 'auto' && mirrored !== 'yes' && mirrored !== 'no')
        throw new AppError('INVALID_INPUT', `--mirrored takes auto, yes or no, not "${mirrored}"`);
      const photo = path.resolve(photos[0]!);
      const result = await readWall(session, photo, boxesFile, parsed.values.model as string, adapt === 'on', mirrored);
      if (parsed.values.mdc) {
        const text = transcribe(await loadSignTable(signTableFile()), result.signs);
        io.out(text.mdc);
      } else if (parsed.json) printJson(io, result);
      else
        for (const sign of result.signs)
          io.out(
            `${sign.order}\t${sign.label ?? '—'}\t${((sign.confidence ?? 0) * 100).toFixed(1)}%\t${sign.box.join(',')}`,
          );
      return 0;
    } finally {
      session.close();
    }
  },
};
