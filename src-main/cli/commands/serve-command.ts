import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { rendererDistDir } from '../../app/paths.js';
import { startWebServer } from '../../web/web-server.js';
import type { CliCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
import { createAppDispatcher } from '../../api/app-dispatcher.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the Seshat UI and API to a browser on 127.0.0.1 (web mode)',
  usage: 'seshat serve [--project DIR] [--port N] [--backend NAME] [--json]',
  options: { port: { type: 'string' } },
  async run(parsed, io) {
    const port = parsed.values.port === undefined ? 0 : Number(parsed.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new AppError(
        'INVALID_INPUT',
        `--port must be a number from 0 to 65535, not "${String(parsed.values.port)}"`,
      );
    }
    const staticDir = rendererDistDir();
    if (!existsSync(join(staticDir, 'index.html'))) {
      throw new AppError('NOT_FOUND', `The UI is not built (${staticDir} is missing): run "npm run build" first`);
    }
    const services = openServices(parsed, 'web');
    const dispatch = createAppDispatcher(services, {
      onInternalError: (method, error) =>
        io.err(`Internal error in ${method}: ${(error as Error)?.stack ?? String(error)}`),
    });
    const server = await startWebServer({ services, dispatch, staticDir, port });
    void services.probeBackend().catch((error: unknown) => io.err(`No ML backend: ${(error as Error).message}`));
    if (parsed.json)
      printJson(io, {
        url: server.url,
        openUrl: server.openUrl,
        port: server.port,
        project: services.projectSummary(),
      });
    else {
      io.out(`Seshat web mode — project ${services.projectSummary().dir}`);
      io.out(`Open ${server.openUrl}`);
      io.out('Listening on 127.0.0.1 only. Press Ctrl+C to stop.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await services.shutdown();
    return 0;
  },
};
