import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';
import { APP_NAME, APP_VERSION } from '../../app/version.js';
import { relaxedSimdAvailable } from '../../ml/kernels/gemm-kernel.js';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show the project, its catalog and the ML backend Seshat would use',
  usage: 'seshat info [--project DIR] [--backend NAME] [--json]',
  options: {},
  async run(parsed, io) {
    const session = openCliSession(parsed, io);
    try {
      // The shell's own calls: the backend as the status bar shows it, the project, its counts.
      // The app probes its backend at start; so does this command, then asks as the UI does.
      await session.services.probeBackend();
      const backend = (await session.call('getBackend', {}))!;
      const report = {
        app: { name: APP_NAME, version: APP_VERSION },
        project: await session.call('getProject', {}),
        backend,
        // Seshat's own SIMD kernels: with fused multiply-adds where the engine runs relaxed SIMD.
        kernels: { fusedMultiplyAdds: relaxedSimdAvailable(), node: process.versions.node },
        catalog: await session.call('getCatalogStats', {}),
      };
      if (parsed.json) {
        printJson(io, report);
      } else {
        io.out(`${APP_NAME} ${APP_VERSION}`);
        io.out(`Project:  ${report.project.name} (${report.project.dir})`);
        io.out(`Backend:  ${backend.name} ${backend.version} — ${backend.device}${backend.forced ? ' (forced)' : ''}`);
        for (const skipped of backend.skipped) io.out(`          skipped ${skipped.name}: ${skipped.error}`);
        io.out(
          `Kernels:  SIMD, ${report.kernels.fusedMultiplyAdds ? 'with' : 'without'} fused multiply-adds (relaxed SIMD)`,
        );
        const c = report.catalog;
        io.out(`Catalog:  ${c.images} images (${c.labelled} labelled, ${c.missing} missing), ${c.classes} classes`);
        io.out(
          `Splits:   train ${c.bySplit.train}, validation ${c.bySplit.validation}, test ${c.bySplit.test}, none ${c.bySplit.none}`,
        );
      }
      return 0;
    } finally {
      session.close();
    }
  },
};
