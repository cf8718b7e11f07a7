import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dateTime } from '@grafana/data';
import { TimeRangeControl } from './TimeRangeControl';

describe('TimeRangeControl', () => {
  it('starts the list over when the range moves, so page=3 of the old range is dropped', async () => {
    const onChange = jest.fn();
    const from = dateTime(Date.UTC(2026, 11, 1));
    const to = dateTime(Date.UTC(2026, 11, 2));
    render(<TimeRangeControl range={{ from, to, raw: { from, to } }} onChange={onChange} />);
    await userEvent.click(screen.getByTestId('data-testid explore-toolbar-timepicker-move-backward-button'));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ page: null, offset: null }));
  });
});
