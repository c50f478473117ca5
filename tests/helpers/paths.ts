import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The public test vectors kept in the repository (`tests/vectors`, sources in its README). */
export const vectorsDir = resolve(repoRoot, 'tests/vectors');

/** Path of a file under the test vectors folder. */
export const vectorPath = (...parts: string[]): string => resolve(vectorsDir, ...parts);
