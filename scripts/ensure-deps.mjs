// Installs dependencies before `npm start`, `npm run web` and `npm test` when
// node_modules is missing or out of date with package-lock.json, so a fresh clone needs
// nothing but those commands. Node built-ins only: it runs before node_modules exists.
//
//   node scripts/ensure-deps.mjs              install if needed (silent when current)
//   node scripts/ensure-deps.mjs --electron   also require Electron's binary (npm start)
//
// Current means: node_modules/.seshat-deps-stamp (written after each successful install)
// records this package-lock.json's hash and this Node's ABI/platform/arch. Without a
// matching stamp, npm's own record of what it installed (node_modules/.package-lock.json)
// is compared with package-lock.json, so an install made by hand is not redone. Missing
// node_modules/.package-lock.json means not installed.
//
// Installing runs `npm ci`. Electron's binary comes from GitHub, which machines without
// internet cannot reach: then dependencies are installed with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, and one line says the desktop app and the Electron
// test suite are unavailable (web mode and every other test work).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const modules = join(root, 'node_modules');
const hiddenLockPath = join(modules, '.package-lock.json');
const stampPath = join(modules, '.seshat-deps-stamp');
const ELECTRON_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

const wantElectron = process.argv.includes('--electron');

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function wantedStamp() {
  return {
    lock: createHash('sha256').update(readFileSync(lockPath)).digest('hex'),
    abi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Whether every package in package-lock.json is installed at its locked version (optional ones may be absent). */
function installedMatchesLock() {
  const locked = readJson(lockPath)?.packages;
  const installed = readJson(hiddenLockPath)?.packages;
  if (!locked || !installed) return false;
  for (const [key, entry] of Object.entries(locked)) {
    if (key === '' || !key.startsWith('node_modules/')) continue;
    const have = installed[key];
    if (!have) {
      if (entry.optional || entry.devOptional) continue;
      return false;
    }
    if (have.version !== entry.version) return false;
    if (have.integrity && entry.integrity && have.integrity !== entry.integrity) return false;
  }
  return Object.keys(installed).every((key) => key in locked);
}

/** Why dependencies need installing, or null when they are current. */
function staleReason(wanted) {
  if (!existsSync(modules)) return 'node_modules is missing';
  if (!existsSync(hiddenLockPath)) return 'node_modules is incomplete';
  const stamp = readJson(stampPath);
  if (
    stamp &&
    stamp.lock === wanted.lock &&
    stamp.abi === wanted.abi &&
    stamp.platform === wanted.platform &&
    stamp.arch === wanted.arch
  ) {
    return null;
  }
  if (stamp && (stamp.abi !== wanted.abi || stamp.platform !== wanted.platform || stamp.arch !== wanted.arch)) {
    return `node_modules was installed for another Node.js: ABI ${stamp.abi}, ${stamp.platform}-${stamp.arch}`;
  }
  if (installedMatchesLock()) {
    writeStamp(wanted);
    return null;
  }
  return 'node_modules is out of date with package-lock.json';
}

function writeStamp(wanted) {
  try {
    writeFileSync(stampPath, JSON.stringify(wanted) + '\n');
  } catch {
    // Read-only node_modules: the check just runs the slower comparison next time.
  }
}

function npmCommand(args) {
  const execPath = process.env.npm_execpath;
  if (execPath && /^npm(-cli)?\.c?js$/.test(basename(execPath))) return [process.execPath, [execPath, ...args], false];
  return ['npm', args, process.platform === 'win32'];
}

function npmCi(env) {
  const [command, args, shell] = npmCommand(['ci', '--no-audit', '--no-fund']);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell }).status === 0;
}

function electronBinary() {
  try {
    const path = createRequire(join(root, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Runs Electron's own download step (which npm may skip); returns its error's first line, or null on success. */
function downloadElectron() {
  const install = join(modules, 'electron', 'install.js');
  if (!existsSync(install)) return 'electron is not installed';
  const result = spawnSync(process.execPath, [install], {
    cwd: dirname(install),
    encoding: 'utf8',
    timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS,
  });
  if (result.status === 0 && electronBinary()) return null;
  if (result.error) return result.error.code === 'ETIMEDOUT' ? 'timed out' : result.error.message;
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[0] ?? `exit code ${result.status}`;
}

const FETCH_ELECTRON =
  `with internet${process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ' and ELECTRON_SKIP_BINARY_DOWNLOAD unset' : ''}, ` +
  '`node node_modules/electron/install.js` fetches it';
const NO_ELECTRON = `\`npm start\` cannot open the desktop app (use \`npm run web\`) and the Electron test suite will be skipped; ${FETCH_ELECTRON}.`;

function main() {
  const wanted = wantedStamp();
  const reason = staleReason(wanted);
  let electronTried = false;
  if (reason) {
    console.log(`Installing dependencies (${reason}): npm ci`);
    const skipping = !!process.env.ELECTRON_SKIP_BINARY_DOWNLOAD;
    if (!npmCi(process.env)) {
      if (skipping) {
        console.error('npm ci failed (see above).');
        process.exit(1);
      }
      console.log(
        "npm ci failed; retrying with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (Electron's binary download fails without internet).",
      );
      if (!npmCi({ ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })) {
        console.error('npm ci failed (see above).');
        process.exit(1);
      }
      electronTried = true;
      console.log(
        `Installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1: Electron's binary could not be downloaded, so ${NO_ELECTRON}`,
      );
    } else if (skipping) {
      if (!electronBinary()) console.log(`Installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, so ${NO_ELECTRON}`);
      electronTried = true;
    }
    writeStamp(wanted);
  }

  // npm may leave Electron's download step out (package.json's allowScripts says so for
  // npm versions that honour it): fetch the binary here, once after an install, and for
  // `npm start`, which cannot do without it.
  let failure = null;
  if (!electronTried && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD && (reason || wantElectron) && !electronBinary()) {
    console.log("Downloading Electron's binary (node node_modules/electron/install.js) …");
    failure = downloadElectron();
  }
  if (wantElectron && !electronBinary()) {
    console.error(
      `No Electron binary${failure ? ` (download: ${failure})` : ''}, so the desktop app cannot open: ` +
        `${FETCH_ELECTRON}; or use \`npm run web\`.`,
    );
    process.exit(1);
  }
  if (failure) console.log(`Electron's binary could not be downloaded (${failure}): ${NO_ELECTRON}`);
}

main();
