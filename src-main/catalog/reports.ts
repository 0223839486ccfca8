/**
 * Import and rescan reports: one row per run of either, plus one item per file
 * worth telling the user about (an error with its reason, a duplicate, and for
 * rescans each new, changed, moved or missing file). Items are written in the same
 * transaction as the batch they describe, so a killed import keeps an honest report.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type {
  ReportKind,
  ReportStatus,
  ReportItemKind,
  ReportItem,
  StoredReport,
} from '../../src-shared/api/wire-import.js';
export type {
  ReportKind,
  ReportStatus,
  ReportItemKind,
  ReportItem,
  StoredReport,
} from '../../src-shared/api/wire-import.js';

interface ReportRow {
  id: number;
  kind: ReportKind;
  status: ReportStatus;
  roots: string;
  options: string;
  counts: string;
  pid: number | null;
  started_at: number;
  finished_at: number | null;
}

export class ReportRepo {
  private readonly itemStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.itemStmt = db.prepare(
      'INSERT INTO import_report_items (report_id, kind, path, code, detail) VALUES (?, ?, ?, ?, ?)',
    );
  }

  create(kind: ReportKind, roots: string[], options: unknown): number {
    const info = this.db
      .prepare(
        "INSERT INTO import_reports (kind, status, roots, options, pid, started_at) VALUES (?, 'running', ?, ?, ?, ?)",
      )
      .run(kind, JSON.stringify(roots), JSON.stringify(options ?? {}), process.pid, Date.now());
    return Number(info.lastInsertRowid);
  }

  /** Appends items; call inside the batch's transaction. */
  addItems(reportId: number, items: ReportItem[]): void {
    for (const item of items) this.itemStmt.run(reportId, item.kind, item.path, item.code, item.detail);
  }

  updateCounts(reportId: number, counts: Record<string, number>): void {
    this.db.prepare('UPDATE import_reports SET counts = ? WHERE id = ?').run(JSON.stringify(counts), reportId);
  }

  finish(reportId: number, status: Exclude<ReportStatus, 'running'>, counts: Record<string, number>): void {
    this.db
      .prepare('UPDATE import_reports SET status = ?, counts = ?, finished_at = ? WHERE id = ?')
      .run(status, JSON.stringify(counts), Date.now(), reportId);
  }

  /**
   * Marks reports left 'running' by a process that no longer exists (killed, crashed)
   * as 'interrupted'. Returns how many were marked.
   */
  markInterrupted(isAlive: (pid: number) => boolean = processAlive): number {
    const rows = this.db.prepare("SELECT id, pid FROM import_reports WHERE status = 'running'").all() as Array<{
      id: number;
      pid: number | null;
    }>;
    const stale = rows.filter((row) => row.pid === null || (row.pid !== process.pid && !isAlive(row.pid)));
    const stmt = this.db.prepare("UPDATE import_reports SET status = 'interrupted' WHERE id = ?");
    this.db.transaction(() => stale.forEach((row) => stmt.run(row.id))).immediate();
    return stale.length;
  }

  /** The report with every error item and up to `itemLimit` other items (duplicates, moves, …). */
  get(id: number, itemLimit = 1000): StoredReport | undefined {
    const row = this.db.prepare('SELECT * FROM import_reports WHERE id = ?').get(id) as ReportRow | undefined;
    if (!row) return undefined;
    const itemsTotal = this.countItems(id);
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      roots: JSON.parse(row.roots) as string[],
      options: JSON.parse(row.options) as unknown,
      counts: JSON.parse(row.counts) as Record<string, number>,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      items: this.items(id, { limit: itemLimit + this.countItems(id, 'error') }),
      itemsTotal,
    };
  }

  require(id: number, itemLimit?: number): StoredReport {
    const report = this.get(id, itemLimit);
    if (!report) throw new AppError('NOT_FOUND', `No import report with id ${id}`);
    return report;
  }

  /** Newest first, without items. */
  list(limit = 50): Array<Omit<StoredReport, 'items' | 'itemsTotal'>> {
    const rows = this.db.prepare('SELECT * FROM import_reports ORDER BY id DESC LIMIT ?').all(limit) as ReportRow[];
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      status: row.status,
      roots: JSON.parse(row.roots) as string[],
      options: JSON.parse(row.options) as unknown,
      counts: JSON.parse(row.counts) as Record<string, number>,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    }));
  }

  countItems(reportId: number, kind?: ReportItemKind): number {
    const sql = `SELECT COUNT(*) FROM import_report_items WHERE report_id = ? ${kind ? 'AND kind = ?' : ''}`;
    return this.db
      .prepare(sql)
      .pluck()
      .get(...(kind ? [reportId, kind] : [reportId])) as number;
  }

  /** A report's items, errors first then in the order found. */
  items(reportId: number, options: { kind?: ReportItemKind; limit?: number; offset?: number } = {}): ReportItem[] {
    const byKind = options.kind !== undefined;
    const sql = `SELECT kind, path, code, detail FROM import_report_items
      WHERE report_id = ? ${byKind ? 'AND kind = ?' : ''}
      ORDER BY (kind = 'error') DESC, id LIMIT ? OFFSET ?`;
    const params: unknown[] = [reportId, ...(byKind ? [options.kind] : []), options.limit ?? 1000, options.offset ?? 0];
    return this.db.prepare(sql).all(...params) as ReportItem[];
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
