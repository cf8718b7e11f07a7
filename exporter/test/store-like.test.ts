import type { Store } from '../src/store/store';
import { escapeLike } from '../src/store/like';
import { migratedStore } from './support/test-store';

const VALUES = ['100% done', '100x done', 'a_b', 'axb', 'back\\slash', 'backslash'];

describe.each(['sqlite', 'postgres'])('escapeLike on the %s store', (kind) => {
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await migratedStore(kind, 'pw-like-'));
    await store.db.schema.createTable('like_probe', (t) => t.text('v'));
    await store.db('like_probe').insert(VALUES.map((v) => ({ v })));
  });
  afterAll(() => close());

  const containing = async (text: string) =>
    (
      await store
        .db('like_probe')
        .whereRaw(`v like ? escape '\\'`, [`%${escapeLike(text)}%`])
        .orderBy('v')
    ).map((r: { v: string }) => r.v);

  test('a % in the text matches only a %', async () => {
    expect(await containing('0% d')).toEqual(['100% done']);
  });

  test('an _ in the text matches only an _', async () => {
    expect(await containing('a_b')).toEqual(['a_b']);
  });

  test('a backslash in the text matches only a backslash', async () => {
    expect(await containing('k\\s')).toEqual(['back\\slash']);
  });
});
