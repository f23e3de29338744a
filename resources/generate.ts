// `npm run generate`: writes the CRDs of resources/ into charts/orka/crds/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAllCrds } from './crd.ts';

export const CRD_DIR = fileURLToPath(new URL('../charts/orka/crds/', import.meta.url));

mkdirSync(CRD_DIR, { recursive: true });
for (const { fileName, content } of renderAllCrds()) {
  writeFileSync(join(CRD_DIR, fileName), content);
  process.stdout.write(`wrote charts/orka/crds/${fileName}\n`);
}
