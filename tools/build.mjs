// Compiles every TypeScript source to CommonJS under dist/ with swc.
// swc (not tsc) because `npm start` must be quick on a 2-core box; type checking is `npm run typecheck`.
// Path aliases (@crm/*) are rewritten to relative paths here so that dist/ runs on plain Node.
import { transformFile } from '@swc/core';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile, rm, rename } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'dist');
const sourceRoots = ['libs', 'services', 'tools', 'bench'];
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

/** Every file below `dir` (none if it does not exist), skipping node_modules. */
async function* filesBelow(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* filesBelow(path);
    } else {
      yield path;
    }
  }
}

const isCompiledSource = (path) => path.endsWith('.ts') && !path.endsWith('.d.ts') && !/\.(spec|test)\.ts$/.test(path);

const files = [];
const built = new Set();
for (const sourceRoot of sourceRoots) {
  for await (const file of filesBelow(join(root, sourceRoot))) if (isCompiledSource(file)) files.push(file);
}
await Promise.all(
  files.map(async (file) => {
    const { code, map } = await transformFile(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceFileName: relative(join(outDir, relative(root, dirname(file))), file),
      jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    });
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    // Write then rename, so a process running from dist/ (npm start) never reads a half-written file.
    await writeFile(`${target}.tmp`, map ? `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n` : code);
    await rename(`${target}.tmp`, target);
    if (map) await writeFile(`${target}.map`, map);
    built.add(target);
    if (map) built.add(`${target}.map`);
  }),
);
// Remove outputs whose source is gone, instead of wiping dist/ under running processes.
for await (const stale of filesBelow(outDir)) if (!built.has(stale)) await rm(stale, { force: true });
console.log(`built ${files.length} files into dist/`);
