import { renderHookAt } from '../../test/render';
import { useIncidentParams } from './useIncidentList';

const LIST = '/a/perfwatch-app/incidents';

describe('useIncidentParams', () => {
  it('asks for the open statuses when the URL names none', () => {
    const { result } = renderHookAt(LIST, useIncidentParams);
    expect(result.current.filter.status).toEqual(['investigating', 'identified', 'monitoring']);
    expect(result.current.filter).toMatchObject({ limit: 50, offset: 0 });
  });

  it('sends no status filter when every status is selected', () => {
    const all = ['investigating', 'identified', 'monitoring', 'resolved'].map((s) => `status=${s}`).join('&');
    const { result } = renderHookAt(`${LIST}?${all}`, useIncidentParams);
    expect(result.current.filter.status).toBeUndefined();
  });

  it('turns the page into an offset and keeps severities, labels and the refresh interval', () => {
    const { result } = renderHookAt(
      `${LIST}?page=3&severity=critical&severity=high&label=route%3D%2Fcheckout&refresh=30s`,
      useIncidentParams,
    );
    expect(result.current.filter).toMatchObject({
      offset: 100,
      severity: ['critical', 'high'],
      label: ['route=/checkout'],
    });
    expect(result.current.refresh).toBe('30s');
  });
});
