import { describe, expect, it } from 'vitest';
import { Cleanup } from './cleanup.js';

describe('Cleanup', () => {
  it('closes last started first, once, reporting failures without stopping', async () => {
    const done: string[] = [];
    const errors: string[] = [];
    const c = new Cleanup((name, err) => errors.push(`${name}: ${(err as Error).message}`));
    c.add('folder', () => void done.push('folder'));
    c.add('hub', async () => {
      done.push('hub');
      throw new Error('boom');
    });
    c.add('runner', async () => void done.push('runner'));
    expect(c.closing).toBe(false);
    const first = c.run();
    expect(c.closing).toBe(true);
    await Promise.all([first, c.run()]);
    expect(done).toEqual(['runner', 'hub', 'folder']);
    expect(errors).toEqual(['hub: boom']);
  });

  it('closes at once what finishes starting after stopping began, and run() waits for it', async () => {
    const done: string[] = [];
    const c = new Cleanup(() => undefined);
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    c.add('hub', () => void done.push('hub'));
    const stopping = c.run();
    c.add('late runner', async () => {
      await slow;
      done.push('late runner');
    });
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await Promise.resolve();
    expect(done).toEqual(['hub']);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(done).toEqual(['hub', 'late runner']);
  });

  it('force() runs the last resorts, newest first, each guarded', () => {
    const done: string[] = [];
    const errors: string[] = [];
    const c = new Cleanup((name) => errors.push(name));
    c.onForce(() => void done.push('rm scratch'));
    c.onForce(() => {
      throw new Error('no such process');
    });
    c.onForce(() => void done.push('kill -9'));
    c.force();
    c.force();
    expect(done).toEqual(['kill -9', 'rm scratch']);
    expect(errors).toEqual(['forced stop']);
  });
});
