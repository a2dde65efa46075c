import { close as closeCallback, constants, fdatasync as fdatasyncCallback, open as openCallback, promises as fs, write as writeCallback } from 'node:fs';
import { promisify } from 'node:util';

// The callback API works on plain file descriptors; the promise API wraps each in a FileHandle.
const openFd = promisify(openCallback);
const writeFd = promisify(writeCallback);
const syncFd = promisify(fdatasyncCallback);

/** Slot files kept open between writes (two per recently active conversation). */
const OPEN_SLOT_FILES = 128;

interface OpenSlot {
  fd: number;
  /** Writes using the descriptor now: it is not closed under them. */
  users: number;
}

/**
 * Writes slot files in place through descriptors kept open, the {@link OPEN_SLOT_FILES} most
 * recently used: a conversation writes the same two files turn after turn, and opening and
 * closing them cost more CPU than the write. Writes of one key are serialised by its lock, so a
 * file is never opened twice at once.
 */
export class SlotWriter {
  /** Least recently used first. */
  private readonly open = new Map<string, OpenSlot>();

  constructor(
    private readonly directory: string,
    private readonly fsync: boolean,
  ) {}

  /** Writes `data` at the start of `file` (created if need be), not truncating: the slot's header says where it ends. */
  async write(file: string, data: Buffer, mayCreate: boolean): Promise<void> {
    const open = await this.openSlot(file);
    open.users++;
    try {
      let written = 0;
      while (written < data.length) written += (await writeFd(open.fd, data, written, data.length - written, written)).bytesWritten;
      if (this.fsync) await syncFd(open.fd);
    } finally {
      open.users--;
    }
    this.closeIdle(OPEN_SLOT_FILES);
    // A new file is only durable once its directory entry is.
    if (this.fsync && mayCreate) await syncDirectory(this.directory);
  }

  /** Closes the least recently used open slot files not being written until at most `keep` stay open (of `only`, if given, all idle ones). */
  closeIdle(keep: number, only?: readonly string[]): void {
    for (const [file, open] of this.open) {
      if (this.open.size <= keep && !only) break;
      if (open.users > 0 || (only && !only.includes(file))) continue;
      this.open.delete(file);
      closeCallback(open.fd, () => undefined);
    }
  }

  private async openSlot(file: string): Promise<OpenSlot> {
    const open = this.open.get(file);
    if (open) {
      this.open.delete(file);
      this.open.set(file, open);
      return open;
    }
    const opened: OpenSlot = { fd: await openFd(file, constants.O_WRONLY | constants.O_CREAT, 0o600), users: 0 };
    this.open.set(file, opened);
    return opened;
  }
}

/** A new file, a rename or an unlink is only durable once the directory entry itself is on disk. */
export async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync.
  if (process.platform === 'win32') return;
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
