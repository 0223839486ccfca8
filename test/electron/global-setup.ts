import { electronBinary } from './electron-availability.js';

// Say once, plainly, why the suite is skipped where it is.
export default function globalSetup(): void {
  const binary = electronBinary();
  if (binary.path === null) console.log(`\nElectron end-to-end suite SKIPPED: ${binary.reason}.\n`);
  else console.log(`\nElectron end-to-end suite running with ${binary.path}\n`);
}
