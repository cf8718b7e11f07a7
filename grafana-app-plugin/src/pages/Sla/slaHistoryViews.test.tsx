import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { dateTime, type TimeRange } from '@grafana/data';
import { FakeBackend, apiError } from '../../test/backend';
import { slaBurndown, slaHistory, slaReport } from '../../test/fixtures';
import { CoverageNote } from './CoverageNote';
import { PdfDownload } from './PdfDownload';
import { SlaBurndown } from './SlaBurndown';
import { SlaHistory } from './SlaHistory';
import { burndownFrames } from './useSlaViews';

const range: TimeRange = (() => {
  const from = dateTime('2026-10-23T10:00:00.000Z');
  const to = dateTime('2026-11-22T10:00:00.000Z');
  return { from, to, raw: { from, to } };
})();

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend().install();
});

describe('SLA data coverage', () => {
  it('says how much of the period Prometheus holds, and why not all of it', () => {
    render(<CoverageNote coverage={slaHistory().months[0].coverage} />);
    expect(screen.getByText('Data covers 71 % of the period')).toBeInTheDocument();
    expect(screen.getByText(/its samples start at 2026-10-10/)).toBeInTheDocument();
  });

  it('says nothing when the data covers the whole period', () => {
    const { container } = render(<CoverageNote coverage={slaReport().coverage} />);
    expect(container).toBeEmptyDOMElement();
  });
});

describe('SLA month-by-month history', () => {
  it('shows a loading state until the exporter answers', async () => {
    backend.hang('GET', '/sla/history');
    render(<SlaHistory />);
    expect(await screen.findByText('Computing each month…')).toBeInTheDocument();
  });

  it('says so when no month has data', async () => {
    backend.on('GET', '/sla/history', { ...slaHistory(), months: [], note: undefined });
    render(<SlaHistory />);
    expect(await screen.findByText('No month with data yet')).toBeInTheDocument();
  });

  it('shows the exporter error in words', async () => {
    backend.on('GET', '/sla/history', apiError('prometheus_error', 'Prometheus is down'), 502);
    render(<SlaHistory />);
    expect(await screen.findByText('Could not load the month-by-month history')).toBeInTheDocument();
    expect(screen.getByText(/Prometheus is down/)).toBeInTheDocument();
  });

  it('lists the newest month first, flags a month the data only partly covers and says which are left out', async () => {
    backend.on('GET', '/sla/history', slaHistory());
    render(<SlaHistory />);
    const rows = (await screen.findAllByRole('row')).slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'November 2026',
      'October 2026',
    ]);
    expect(within(rows[0]).getByText('Breaching')).toBeInTheDocument();
    expect(within(rows[0]).getByText('-80.0 % left')).toBeInTheDocument();
    expect(within(rows[1]).getByText('71 % covered')).toBeInTheDocument();
    expect(backend.callsTo('GET', '/sla/history')[0].query.get('months')).toBe('12');
  });

  it("names the months left out for lack of data, and when the data begins in the user's time zone", async () => {
    backend.on('GET', '/sla/history', slaHistory());
    render(<SlaHistory />);
    expect(
      await screen.findByText(
        'Prometheus holds no data before 2026-10-10 00:00:00: December 2025 to September 2026 are left out.',
      ),
    ).toBeInTheDocument();
  });

  it('names the one month left out', async () => {
    backend.on('GET', '/sla/history', { ...slaHistory(), monthsRequested: 3 });
    render(<SlaHistory />);
    expect(
      await screen.findByText(
        'Prometheus holds no data before 2026-10-10 00:00:00: September 2026 is left out.',
      ),
    ).toBeInTheDocument();
  });

  it("shows the exporter's note when no month has data to date it by", async () => {
    const note = 'Prometheus holds no data for any of the last 12 months';
    backend.on('GET', '/sla/history', { ...slaHistory(), months: [], note });
    render(<SlaHistory />);
    expect(await screen.findByText(note)).toBeInTheDocument();
  });
});

describe('SLA error budget burndown', () => {
  const show = () => render(<SlaBurndown period="30d" sla="checkout" range={range} />);

  it('shows a loading state until the exporter answers', async () => {
    backend.hang('GET', '/sla/burndown');
    show();
    expect(await screen.findByText('Reading the budget burndown…')).toBeInTheDocument();
  });

  it('says so when the SLA has no objective with a budget', async () => {
    backend.on('GET', '/sla/burndown', { ...slaBurndown(), endpoints: [] });
    show();
    expect(await screen.findByText('This SLA sets no objective with an error budget.')).toBeInTheDocument();
  });

  it('shows the exporter error in words', async () => {
    backend.on('GET', '/sla/burndown', apiError('prometheus_error', 'Prometheus is down'), 502);
    show();
    expect(await screen.findByText('Could not load the budget burndown')).toBeInTheDocument();
  });

  it('asks for one SLA over the period and says what each SLI has left at the end', async () => {
    backend.on('GET', '/sla/burndown', slaBurndown());
    show();
    expect(await screen.findByText('latency: -80.0 % left · errors: 60.0 % left')).toBeInTheDocument();
    expect(screen.getByTestId('data-testid sla-burndown-chart')).toBeInTheDocument();
    const query = backend.callsTo('GET', '/sla/burndown')[0].query;
    expect([query.get('period'), query.get('sla')]).toEqual(['30d', 'checkout']);
  });

  it('says which part of the period Prometheus holds when the lines can cover only that part', async () => {
    // A Prometheus started 10 minutes before the end of a 30-day period.
    backend.on('GET', '/sla/burndown', {
      ...slaBurndown(),
      coverage: {
        from: '2026-11-22T09:50:00.000Z',
        to: '2026-11-22T10:00:00.000Z',
        ratio: 10 / (30 * 24 * 60),
        complete: false,
        promql: { from: 'x', to: 'y' },
      },
    });
    show();
    expect(
      await screen.findByText(
        'Prometheus holds data from 2026-11-22 09:50:00 to 2026-11-22 10:00:00 only, < 0.1 % of the period: the lines cover that part, the rest of the period has nothing to draw.',
      ),
    ).toBeInTheDocument();
  });

  it('says when Prometheus holds nothing of the period', async () => {
    backend.on('GET', '/sla/burndown', {
      ...slaBurndown(),
      coverage: { from: null, to: null, ratio: 0, complete: false, promql: { from: 'x', to: 'y' } },
    });
    show();
    expect(
      await screen.findByText('Prometheus holds no data of this period: there is nothing to draw.'),
    ).toBeInTheDocument();
  });

  it('says nothing of coverage when Prometheus holds the whole period', async () => {
    backend.on('GET', '/sla/burndown', slaBurndown());
    show();
    await screen.findByTestId('data-testid sla-burndown-chart');
    expect(screen.queryByText(/^Prometheus holds/)).not.toBeInTheDocument();
  });

  it('charts each SLI as the share of budget left, at the times the exporter sent in seconds', () => {
    const [latency, errors] = burndownFrames(slaBurndown().endpoints[0].slis);
    expect(latency.name).toBe('Latency budget');
    expect(latency.fields[0].values).toEqual([1761213600000, 1762423200000, 1763805600000]);
    expect(latency.fields[1].values).toEqual([1, 0.3, -0.8]);
    expect(latency.fields[1].config.unit).toBe('percentunit');
    expect(errors.fields[1].values).toEqual([null, 0.6]);
  });
});

describe('SLA report PDF', () => {
  it('saves the PDF the exporter prints, named for the period', async () => {
    const pdf = new Blob(['%PDF-1.4'], { type: 'application/pdf' });
    backend.on('GET', '/sla/report.pdf', pdf);
    const saved: Array<{ name: string; blob: Blob }> = [];
    let last: Blob | undefined;
    URL.createObjectURL = jest.fn((b: Blob) => {
      last = b;
      return 'blob:pdf';
    });
    URL.revokeObjectURL = jest.fn();
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: last! });
    });
    render(<PdfDownload period="2026-10" />);
    fireEvent.click(screen.getByRole('button', { name: 'Download PDF' }));
    await waitFor(() => expect(saved).toEqual([{ name: 'sla-report-2026-10.pdf', blob: pdf }]));
    expect(backend.callsTo('GET', '/sla/report.pdf')[0].query.get('period')).toBe('2026-10');
  });

  it('says why when the exporter cannot print it', async () => {
    backend.on('GET', '/sla/report.pdf', apiError('pdf_busy', 'Two prints are already waiting'), 429);
    render(<PdfDownload period="30d" />);
    fireEvent.click(screen.getByRole('button', { name: 'Download PDF' }));
    // The error comes as a Blob, as from Grafana, and is read back asynchronously: allow for a slow runner.
    expect(await screen.findByTestId('data-testid sla-pdf-error', {}, { timeout: 4000 })).toHaveTextContent(
      'PDF failed: Two prints are already waiting',
    );
  }, 15_000);
});
