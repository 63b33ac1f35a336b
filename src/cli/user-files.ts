/**
 * Reading a file whose path a user chose or could have placed (the config, a cache in `.tapctl/`): only a
 * regular file, only up to a size, and never a read that blocks. A FIFO, a character device (/dev/zero, a
 * terminal), a socket or a folder under that name is refused at once instead of hanging the command or
 * reading forever.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a path could not be read as a plain file, in words for a person. */
export class NotAPlainFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** The Node.js error code when the file system said no (ENOENT, EACCES ...). */
    readonly code?: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'NotAPlainFileError';
  }
}

/** What the thing at a path is, for the message. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder, not a file';
  if (stat.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (stat.isCharacterDevice()) return 'a character device, not a file';
  if (stat.isBlockDevice()) return 'a block device, not a file';
  if (stat.isSocket()) return 'a socket, not a file';
  return 'not a regular file';
}

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'part of the path is a file, not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EISDIR: 'a folder, not a file',
};

/**
 * The whole content of the regular file at `path` (symbolic links followed), at most `maxBytes`.
 * Opened with O_NONBLOCK, so that opening a FIFO with no writer returns at once; the type is then checked on
 * the open descriptor, so a file swapped after a check cannot slip through.
 * @throws NotAPlainFileError for anything else: missing, unreadable, not a regular file, or too big.
 */
export function readPlainFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotAPlainFileError(path, (code && FS_REASONS[code]) ?? (e as Error).message, code);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotAPlainFileError(path, kindOf(stat));
    if (stat.size > maxBytes) throw new NotAPlainFileError(path, `${formatSize(stat.size)}, more than the ${formatSize(maxBytes)} tapctl reads`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch (e) {
    if (e instanceof NotAPlainFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotAPlainFileError(path, (code && FS_REASONS[code]) ?? (e as Error).message, code);
  } finally {
    closeSync(fd);
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
