import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared test vectors, read in place from `../shared/vectors` beside the repository. */
export const vectorsDir = resolve(repoRoot, '../shared/vectors');

/** Path of a file under the shared vectors folder. */
export const vectorPath = (...parts: string[]): string => resolve(vectorsDir, ...parts);
