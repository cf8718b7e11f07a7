import React, { useCallback } from 'react';
import { dateTime, getTimeZone, type TimeRange } from '@grafana/data';
import { TimeRangePicker } from '@grafana/ui';
import { rangeToUrl } from '../../utils/time';
import type { UrlPatch } from '../../hooks/useUrlQuery';

interface Props {
  range: TimeRange;
  onChange: (patch: UrlPatch) => void;
}

/**
 * Grafana's time picker writing `from`/`to` into the page URL. A new range starts the list over:
 * the page number and offset of the old range would point past the end of the new one.
 */
export function TimeRangeControl({ range, onChange }: Props) {
  const set = useCallback(
    (r: TimeRange) => onChange({ ...rangeToUrl(r), offset: null, page: null }),
    [onChange],
  );
  const shift = useCallback(
    (direction: -1 | 1, factor = 1) => {
      const span = range.to.valueOf() - range.from.valueOf();
      const from = range.from.valueOf() + direction * span * factor;
      const to = range.to.valueOf() + direction * span * factor;
      onChange({ from: String(from), to: String(to), offset: null, page: null });
    },
    [range, onChange],
  );
  const zoomOut = useCallback(() => {
    const span = range.to.valueOf() - range.from.valueOf();
    const center = range.from.valueOf() + span / 2;
    const from = dateTime(center - span);
    const to = dateTime(Math.min(center + span, Date.now()));
    set({ from, to, raw: { from, to } });
  }, [range, set]);
  return (
    <TimeRangePicker
      value={range}
      timeZone={getTimeZone()}
      onChange={set}
      onChangeTimeZone={() => undefined}
      onMoveBackward={() => shift(-1, 0.5)}
      onMoveForward={() => shift(1, 0.5)}
      onZoom={zoomOut}
    />
  );
}
