import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuditEntriesReader, assertTimeRange } from './audit-entries.reader';
import { EntryFilterQuery, ExportFormat } from './dto/auditor.queries';
import { hashToHex } from '@hub/merkle';
import { csvHeader, csvRow, entryView, StoredEntryRow } from './entry-view';
import { TreeService } from './tree.service';

const EXPORT_CHUNK = 10000;

const FORMATS: Record<ExportFormat, { contentType: string; header: string; line: (row: StoredEntryRow) => string }> = {
  ndjson: {
    contentType: 'application/x-ndjson; charset=utf-8',
    header: '',
    line: (row) => `${JSON.stringify(entryView(row))}\n`,
  },
  csv: { contentType: 'text/csv; charset=utf-8', header: csvHeader(), line: csvRow },
  // For verifiers: the stored leaf text verbatim (what the leaf hash covers), no parsing or re-serialising.
  leaves: {
    contentType: 'text/tab-separated-values; charset=utf-8',
    header: '',
    line: (row) => `${row.seq}\t${row.leaf_hash ? hashToHex(row.leaf_hash) : ''}\t${row.entry}\n`,
  },
};

/**
 * Streams the log (or the filtered part of it) up to the tree size current when the export starts, so an export
 * is a fixed prefix that a checkpoint of that size (X-Audit-Tree-Size) covers. Chunks of rows by keyset, each
 * written only once the client has taken the previous one (backpressure), so memory stays flat.
 */
@Injectable()
export class AuditExporter {
  private readonly logger = new Logger(AuditExporter.name);

  constructor(
    private readonly reader: AuditEntriesReader,
    private readonly tree: TreeService,
  ) {}

  async stream(filter: EntryFilterQuery, format: ExportFormat, response: Response): Promise<void> {
    assertTimeRange(filter);
    const treeSize = await this.tree.currentTreeSize();
    const { contentType, header, line } = FORMATS[format];
    response.status(200);
    response.setHeader('Content-Type', contentType);
    response.setHeader('Content-Disposition', `attachment; filename="audit-log-${treeSize}.${format}"`);
    response.setHeader('X-Audit-Tree-Size', String(treeSize));
    try {
      if (header && !(await writeWithBackpressure(response, header))) return;
      const chunkAfter = (afterSeq: number | undefined) =>
        this.reader.page({ filter, afterSeq, beforeSeq: treeSize, limit: EXPORT_CHUNK });
      let next = chunkAfter(undefined);
      for (;;) {
        const rows = await next;
        // Read the next chunk while this one is written (keyset: it starts after this chunk's last seq).
        const more = rows.length === EXPORT_CHUNK;
        if (more) next = chunkAfter(Number(rows[rows.length - 1].seq));
        if (rows.length > 0 && !(await writeWithBackpressure(response, rows.map(line).join('')))) {
          if (more) await next.catch(() => undefined);
          return;
        }
        if (!more) break;
      }
      response.end();
    } catch (error) {
      // The status line is gone: abort the transfer so the client sees a failed download, never a short file.
      this.logger.error({ err: (error as Error).message }, 'audit export failed mid-stream');
      response.destroy(error as Error);
    }
  }
}

/** Resolves true once the chunk is written or buffered within limits, false if the client went away. */
function writeWithBackpressure(response: Response, chunk: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return Promise.resolve(false);
  if (response.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (written: boolean) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(written);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}
