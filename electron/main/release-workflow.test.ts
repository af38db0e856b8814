import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// js-yaml ships no types (electron-builder reads its YAML with it too).
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string;
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}

const repo = new URL('../../', import.meta.url);
const workflow = yaml.load(readFileSync(new URL('.github/workflows/release.yml', repo), 'utf8')) as {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const build = workflow.jobs['build'] as Job;
const release = workflow.jobs['release'] as Job;
const step = (job: Job, pattern: RegExp) => job.steps.find((s) => pattern.test(`${s.uses ?? ''} ${s.run ?? ''}`));

describe('.github/workflows/release.yml', () => {
  it('runs on version tags and by hand, read-only by default', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] }, workflow_dispatch: null });
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('builds on hosted Linux, Windows and macOS runners, each with its installers', () => {
    expect(build['runs-on']).toBe('${{ matrix.os }}');
    expect(build.strategy?.['fail-fast']).toBe(false);
    const byOs = Object.fromEntries((build.strategy?.matrix.include ?? []).map((m) => [m['os'], m]));
    expect(Object.keys(byOs).sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(byOs['ubuntu-latest']).toMatchObject({ 'builder-args': '--linux AppImage deb' });
    expect(byOs['windows-latest']).toMatchObject({ 'builder-args': '--win nsis' });
    expect(byOs['macos-latest']).toMatchObject({ 'builder-args': '--mac dmg zip' });
    expect(byOs['ubuntu-latest']?.['installers']).toMatch(/\.AppImage[\s\S]*\.deb/);
    expect(byOs['windows-latest']?.['installers']).toMatch(/\.exe/);
    expect(byOs['macos-latest']?.['installers']).toMatch(/\.dmg[\s\S]*\.zip/);
  });

  it('checks out, sets up Node 22, installs with npm ci, builds, packages without publishing, uploads — in that order', () => {
    const order = [
      /actions\/checkout@v\d/,
      /actions\/setup-node@v\d/,
      /npm ci/,
      /npm run build/,
      /electron-builder/,
      /actions\/upload-artifact@v\d/,
    ];
    const indexes = order.map((p) => build.steps.findIndex((s) => p.test(`${s.uses ?? ''} ${s.run ?? ''}`)));
    expect(indexes.every((i) => i >= 0)).toBe(true);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    expect(step(build, /setup-node/)?.with).toMatchObject({ 'node-version': 22 });
    const pack = step(build, /electron-builder/)?.run ?? '';
    expect(pack).toContain('--config electron-builder.yml');
    expect(pack).toContain('${{ matrix.builder-args }}');
    expect(pack).toContain('--publish never');
    expect(step(build, /upload-artifact/)?.with).toMatchObject({ path: '${{ matrix.installers }}', 'if-no-files-found': 'error' });
  });

  it('attaches the installers to a release on tags only, with write access there alone', () => {
    expect(release.needs).toBe('build');
    expect(release.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(step(release, /download-artifact/)?.with).toMatchObject({ 'merge-multiple': true });
    expect(step(release, /action-gh-release/)?.with).toMatchObject({ files: 'installers/*' });
    expect(build.permissions).toBeUndefined();
  });
});
