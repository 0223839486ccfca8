import type { CliCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
import { APP_NAME, APP_VERSION } from '../../app/version.js';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show the project, its catalog and the ML backend Seshat would use',
  usage: 'seshat info [--project DIR] [--backend NAME] [--json]',
  options: {},
  async run(parsed, io) {
    const services = openServices(parsed, 'cli');
    try {
      const backend = await services.probeBackend();
      const report = {
        app: { name: APP_NAME, version: APP_VERSION },
        project: services.projectSummary(),
        backend,
        catalog: services.catalog.stats(),
      };
      if (parsed.json) {
        printJson(io, report);
      } else {
        io.out(`${APP_NAME} ${APP_VERSION}`);
        io.out(`Project:  ${report.project.name} (${report.project.dir})`);
        io.out(`Backend:  ${backend.name} ${backend.version} — ${backend.device}${backend.forced ? ' (forced)' : ''}`);
        for (const skipped of backend.skipped) io.out(`          skipped ${skipped.name}: ${skipped.error}`);
        const c = report.catalog;
        io.out(`Catalog:  ${c.images} images (${c.labelled} labelled, ${c.missing} missing), ${c.classes} classes`);
        io.out(
          `Splits:   train ${c.bySplit.train}, validation ${c.bySplit.validation}, test ${c.bySplit.test}, none ${c.bySplit.none}`,
        );
      }
      return 0;
    } finally {
      services.close();
    }
  },
};
