// Files a worker uploads beside its result (reports, patches), keyed by Task and filename.
import { toBytes } from './bytes.ts';
import type { Connection } from './database.ts';
import { TooLargeError } from './errors.ts';
import { checkArtifactFilename, checkContentType, checkNamespace, checkTaskName } from './names.ts';

export const MAX_ARTIFACT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_ARTIFACT_CONTENT_TYPE = 'application/octet-stream';

export interface ArtifactInfo {
  filename: string;
  contentType: string;
  size: number;
  /** RFC 3339 UTC; an upload that replaces a file sets it anew. */
  createdAt: string;
}

export interface Artifact extends ArtifactInfo {
  namespace: string;
  taskName: string;
  data: Buffer;
}

export interface ArtifactStore {
  /**
   * Stores (or replaces) one file of a Task. Throws `InvalidArgumentError` for a bad filename
   * (messages as the reference API words them) and `TooLargeError` over 10 MiB.
   */
  put(
    namespace: string,
    taskName: string,
    filename: string,
    data: Uint8Array | string,
    contentType?: string,
  ): void;
  /** The Task's files without their bytes, ordered by filename; `[]` when none. */
  list(namespace: string, taskName: string): ArtifactInfo[];
  get(namespace: string, taskName: string, filename: string): Artifact | undefined;
  /** Deletes every file of the Task and returns how many there were. */
  deleteAll(namespace: string, taskName: string): number;
}

interface ArtifactRow {
  filename: string;
  content_type: string;
  size: number;
  created_at: string;
}

export function artifactStore(db: Connection, now: () => Date): ArtifactStore {
  const upsert = db.prepare<[string, string, string, string, number, Buffer, string]>(
    `INSERT OR REPLACE INTO artifacts
       (namespace, task_name, filename, content_type, size, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectAll = db.prepare<[string, string], ArtifactRow>(
    `SELECT filename, content_type, size, created_at FROM artifacts
     WHERE namespace = ? AND task_name = ? ORDER BY filename`,
  );
  const selectOne = db.prepare<[string, string, string], ArtifactRow & { data: Buffer }>(
    `SELECT filename, content_type, size, created_at, data FROM artifacts
     WHERE namespace = ? AND task_name = ? AND filename = ?`,
  );
  const removeAll = db.prepare<[string, string]>(
    'DELETE FROM artifacts WHERE namespace = ? AND task_name = ?',
  );

  return {
    put(namespace, taskName, filename, data, contentType = DEFAULT_ARTIFACT_CONTENT_TYPE) {
      const ns = checkNamespace(namespace);
      const task = checkTaskName(taskName);
      const file = checkArtifactFilename(filename);
      const type = checkContentType(contentType);
      const bytes = toBytes(data, 'artifact');
      if (bytes.length > MAX_ARTIFACT_BYTES) {
        throw new TooLargeError(
          `artifact ${file} of ${ns}/${task}`,
          bytes.length,
          MAX_ARTIFACT_BYTES,
        );
      }
      upsert.run(ns, task, file, type, bytes.length, bytes, now().toISOString());
    },
    list(namespace, taskName) {
      return selectAll.all(checkNamespace(namespace), checkTaskName(taskName)).map(toInfo);
    },
    get(namespace, taskName, filename) {
      const ns = checkNamespace(namespace);
      const task = checkTaskName(taskName);
      const row = selectOne.get(ns, task, checkArtifactFilename(filename));
      if (!row) return undefined;
      return { namespace: ns, taskName: task, ...toInfo(row), data: row.data };
    },
    deleteAll(namespace, taskName) {
      return removeAll.run(checkNamespace(namespace), checkTaskName(taskName)).changes;
    },
  };
}

function toInfo(row: ArtifactRow): ArtifactInfo {
  return {
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
    createdAt: row.created_at,
  };
}
