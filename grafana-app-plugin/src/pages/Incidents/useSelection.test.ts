import { act, renderHook } from '@testing-library/react';
import { useSelection } from './useSelection';

describe('useSelection', () => {
  const start = (ids: number[], key = 'a') =>
    renderHook(({ ids, key }) => useSelection(ids, key), { initialProps: { ids, key } });

  it('toggles rows in and out', () => {
    const { result } = start([1, 2, 3]);
    act(() => result.current.toggle(2));
    act(() => result.current.toggle(3));
    act(() => result.current.toggle(2));
    expect([...result.current.selected]).toEqual([3]);
  });

  it('keeps only the rows still listed after a refresh', () => {
    const { result, rerender } = start([1, 2, 3]);
    act(() => result.current.setAll([1, 2, 3]));
    rerender({ ids: [2, 3, 4], key: 'a' });
    expect([...result.current.selected].sort()).toEqual([2, 3]);
  });

  it('forgets everything when the list changes (another page, filter or range)', () => {
    const { result, rerender } = start([1, 2]);
    act(() => result.current.setAll([1, 2]));
    rerender({ ids: [1, 2], key: 'b' });
    expect(result.current.selected.size).toBe(0);
  });
});
