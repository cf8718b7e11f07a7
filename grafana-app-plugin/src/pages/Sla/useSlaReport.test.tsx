import { act } from '@testing-library/react';
import { currentSearch, renderHookAt } from '../../test/render';
import { usePeriod } from './useSlaReport';

const SLA = '/a/perfwatch-app/sla';

describe('usePeriod', () => {
  it('reads a calendar month from the URL', () => {
    const { result } = renderHookAt(`${SLA}?period=2026-10`, usePeriod);
    expect(result.current[0]).toBe('2026-10');
  });

  it('falls back to 30 days on a period it does not know', () => {
    const { result } = renderHookAt(`${SLA}?period=forever`, usePeriod);
    expect(result.current[0]).toBe('30d');
  });

  it('keeps the default out of the URL', () => {
    const { result } = renderHookAt(`${SLA}?period=7d`, usePeriod);
    act(() => result.current[1]('30d'));
    expect(currentSearch().get('period')).toBeNull();
  });
});
