/**
 * Writes a whole local file the safe way (temp file beside it, renamed into
 * place when complete; nothing left behind on failure), for plan files and
 * the hash cache: src/local/write.ts does the work.
 */
import { writeFileAtomic } from '../local/write.js';

export async function writeLocalFile(target: string, content: string | Uint8Array): Promise<void> {
  await writeFileAtomic(target, content);
}
