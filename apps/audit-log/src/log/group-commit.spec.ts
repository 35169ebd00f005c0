import { GroupCommit } from './group-commit';

/** A writer whose batches the test releases by hand, recording what each batch held. */
function controllableWriter(failWhen: (items: number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => releases.push(resolve));
    if (failWhen(items)) throw new Error(`cannot write ${items.join(',')}`);
    return items.map((item) => item * 10);
  };
  const releaseNext = async () => {
    await until(() => releases.length > 0);
    releases.shift()!();
  };
  return { batches, write, releaseNext };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i += 1) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never became true');
}

describe('GroupCommit', () => {
  it('writes a lone item at once, and everything that arrives meanwhile as the next batch', async () => {
    const writer = controllableWriter();
    const queue = new GroupCommit(writer.write, 100);
    const first = queue.submit(1);
    const rest = [queue.submit(2), queue.submit(3), queue.submit(4)];
    await writer.releaseNext();
    await writer.releaseNext();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(rest)).resolves.toEqual([20, 30, 40]);
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts more than maxBatch items in one write, and keeps their order', async () => {
    const writer = controllableWriter();
    const queue = new GroupCommit(writer.write, 2);
    const results = [1, 2, 3, 4, 5].map((item) => queue.submit(item));
    for (let i = 0; i < 3; i += 1) await writer.releaseNext();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('writes items submitted together in one batch (up to maxBatch), in their order', async () => {
    const writer = controllableWriter();
    const queue = new GroupCommit(writer.write, 3);
    const all = queue.submitAll([1, 2, 3, 4]);
    await writer.releaseNext();
    await writer.releaseNext();
    await expect(all).resolves.toEqual([10, 20, 30, 40]);
    expect(writer.batches).toEqual([[1, 2, 3], [4]]);
  });

  it('retries a failed batch item by item, so only the item that cannot be written fails', async () => {
    const writer = controllableWriter((items) => items.includes(3));
    const queue = new GroupCommit(writer.write, 100);
    const first = queue.submit(1);
    const batch = Promise.allSettled([2, 3, 4].map((item) => queue.submit(item)));
    for (let i = 0; i < 5; i += 1) await writer.releaseNext();
    await expect(first).resolves.toBe(10);
    const settled = await batch;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('cannot write 3');
    expect(writer.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('keeps working after a failure', async () => {
    const writer = controllableWriter((items) => items.includes(1));
    const queue = new GroupCommit(writer.write, 100);
    const failing = expect(queue.submit(1)).rejects.toThrow('cannot write 1');
    await writer.releaseNext();
    await failing;
    const next = queue.submit(2);
    await writer.releaseNext();
    await expect(next).resolves.toBe(20);
  });
});
