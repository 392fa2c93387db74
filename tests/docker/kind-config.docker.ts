// kind's own config loading, built from its Go module (bin/build-tools), accepts the configs the suite generates
// for each node image it supports: `kind create` gets past config validation and stops only because no image
// can be pulled here. A config kind rejects shows the check can fail. Nothing is left behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kindConfigForImage, SUPPORTED_KIND } from '../../helpers/kind/kind-config.js';
import { KIND_CONFIGS } from '../../helpers/kind/lifecycle.js';
import { skipLoudly } from '../support/loud-skip.js';
import { expect, test } from './docker-fixture.js';

const KIND = join(import.meta.dirname, '..', '..', '.cache', 'tools', 'kind');
/** The images the README's table supports, and the later versions whose gates the generator changes. */
const IMAGES = [...SUPPORTED_KIND.map((r) => r.image), 'kindest/node:v1.34.0', 'kindest/node:v1.35.0'];

async function kindCreate(config: string, image: string): Promise<{ exitCode?: number; out: string }> {
  const dir = test.info().outputPath();
  const file = join(dir, 'kind.yaml');
  await writeFile(file, config);
  const name = `ipvs-conformance-cfgcheck-${Math.random().toString(36).slice(2, 7)}`;
  const kubeconfig = join(dir, 'kubeconfig');
  try {
    const r = await execa(KIND, ['create', 'cluster', '--name', name, '--config', file, '--image', image, '--kubeconfig', kubeconfig, '--retain=false'], { reject: false, timeout: 90_000, all: true });
    return { exitCode: r.exitCode, out: String(r.all) };
  } finally {
    await execa(KIND, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig], { reject: false, timeout: 60_000 });
  }
}

test.beforeEach(({}, testInfo) => {
  if (!existsSync(KIND)) skipLoudly(testInfo, `KIND CONFIG CHECK NOT RUN: ${KIND} is missing; run bin/build-tools`);
});

for (const mode of ['ipvs', 'iptables', 'nftables'] as const) {
  for (const image of IMAGES) {
    test(`kind accepts kind/${mode}.yaml as generated for ${image.split('@')[0]}`, async () => {
      const config = kindConfigForImage(await readFile(KIND_CONFIGS[mode], 'utf8'), image);
      const r = await kindCreate(config, image);
      await test.info().attach('kind create output', { body: r.out });
      expect(r.exitCode, 'no image can be pulled here, so kind must stop').not.toBe(0);
      expect(r.out, 'it got past config validation to the image').toMatch(/failed to pull image/);
      expect(r.out).not.toMatch(/unable to decode config|not found in type|invalid configuration/i);
    });
  }
}

test('kind rejects a config it cannot load, before any image (the check can fail)', async () => {
  const config = (await readFile(KIND_CONFIGS.ipvs, 'utf8')).replace('kubeProxyMode: "ipvs"', 'kubeProxyMode: "ipvs"\n  notAField: true');
  const r = await kindCreate(config, SUPPORTED_KIND[0].image);
  await test.info().attach('kind create output', { body: r.out });
  expect(r.exitCode).not.toBe(0);
  expect(r.out).toMatch(/unable to decode config: .*\n.*field notAField not found/);
  expect(r.out).not.toMatch(/failed to pull image/);
});
