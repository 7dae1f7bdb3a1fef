// `npm run build`: the staff console's files (adapters/http/console/web → dist), bundled with esbuild.
// Chart.js is bundled in, so the console needs nothing from the internet. `npm start` and `npm test` build first.
import { copyFile, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { build } from 'esbuild'

const consoleDir = path.resolve(import.meta.dirname, '../../adapters/http/console')
const web = path.join(consoleDir, 'web')
const dist = path.join(consoleDir, 'dist')

await rm(dist, { recursive: true, force: true })
await mkdir(dist, { recursive: true })
const result = await build({
  entryPoints: [path.join(web, 'main.ts')],
  outfile: path.join(dist, 'console.js'),
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
})
await Promise.all(['index.html', 'console.css'].map((name) => copyFile(path.join(web, name), path.join(dist, name))))
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
console.log(`console built: ${path.relative(process.cwd(), dist)} (${Math.round(bytes / 1024)} KiB with the source map)`)
