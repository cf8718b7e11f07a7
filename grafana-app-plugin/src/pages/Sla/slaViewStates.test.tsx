/*
 * The states of issue 18's SLA views that slaViews/slaHistoryViews leave out: the PDF while it
 * prints, and a period Prometheus holds nothing of.
 */
import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { FakeBackend } from '../../test/backend';
import { CoverageNote } from './CoverageNote';
import { PdfDownload } from './PdfDownload';

describe('SLA report PDF: states', () => {
  it('cannot be asked for twice while the exporter prints it', async () => {
    const backend = new FakeBackend().install();
    backend.hang('GET', '/sla/report.pdf');
    render(<PdfDownload period="30d" />);
    fireEvent.click(screen.getByRole('button', { name: 'Download PDF' }));
    expect(await screen.findByRole('button', { name: 'Printing PDF…' })).toBeDisabled();
    expect(backend.callsTo('GET', '/sla/report.pdf')).toHaveLength(1);
  });
});

describe('SLA data coverage: states', () => {
  it('says Prometheus holds nothing of a period it has no sample of', () => {
    render(
      <CoverageNote
        coverage={{
          complete: false,
          ratio: 0,
          from: null,
          to: null,
          reason: 'no samples in the period',
          promql: { from: 'a', to: 'b' },
        }}
      />,
    );
    expect(screen.getByText('Data covers 0 % of the period')).toBeInTheDocument();
    expect(
      screen.getByText(/^Prometheus holds no data of this period; .* no samples in the period\.$/),
    ).toBeInTheDocument();
  });
});
