/**
 * Writes a whole local file the safe way (temp file beside it, renamed into
 * place when complete; nothing left behind on failure), for plan files and
 * the hash cache.
 */
import { LocalSink } from '../device/fs/local-files.js';

export async function writeLocalFile(target: string, content: string | Uint8Array): Promise<void> {
  const sink = await LocalSink.open(target);
  try {
    await sink.write(Buffer.from(content));
    await sink.commit();
  } catch (err) {
    await sink.discard();
    throw err;
  }
}
