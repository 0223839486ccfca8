import { createRequire } from 'node:module';
import { join } from 'node:path';
import { appRootDir } from './paths.js';

const require = createRequire(import.meta.url);
const manifest = require(join(appRootDir(), 'package.json')) as { version: string; productName?: string };

export const APP_NAME = manifest.productName ?? 'Seshat';
export const APP_VERSION = manifest.version;
