import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { measureTextOnCanvas } from '../../test/canvas';
import { FakeBackend } from '../../test/backend';
import { AssigneePicker } from './AssigneePicker';

jest.setTimeout(30_000);

const LOOKUP = '/api/org/users/lookup';
/** Users as Grafana's lookup answers them (pkg/api/dtos/user.go, UserLookupDTO). */
const users = [
  { userId: 2, uid: 'u-bob', login: 'bob', avatarUrl: '/avatar/2' },
  { userId: 3, uid: 'u-carol', login: 'carol', avatarUrl: '/avatar/3' },
];

describe('Assignee picker', () => {
  measureTextOnCanvas();
  let backend: FakeBackend;
  let onChange: jest.Mock;
  beforeEach(() => {
    backend = new FakeBackend().install();
    onChange = jest.fn();
  });

  const renderPicker = (value: string | null = null) =>
    render(<AssigneePicker value={value} disabled={false} onChange={onChange} />);
  const open = async () => userEvent.click(screen.getByPlaceholderText('Search Grafana users'));

  it("asks Grafana's org users lookup for what is typed, with a bounded limit", async () => {
    backend.handle('GET', LOOKUP, (call) => ({
      status: 200,
      body: users.filter((u) => u.login.includes(call.query.get('query') ?? '')),
    }));
    renderPicker();
    await userEvent.type(screen.getByPlaceholderText('Search Grafana users'), 'car');
    await waitFor(() => expect(backend.callsTo('GET', LOOKUP).at(-1)?.query.get('query')).toBe('car'));
    expect(Number(backend.callsTo('GET', LOOKUP).at(-1)!.query.get('limit'))).toBeGreaterThan(0);
  });

  it('shows that it is loading while Grafana looks the users up', async () => {
    backend.hang('GET', LOOKUP);
    renderPicker();
    await open();
    expect(await screen.findByText('Loading options...')).toBeInTheDocument();
  });

  it('says "No Grafana user matches" when the organization has none to offer', async () => {
    backend.on('GET', LOOKUP, []);
    renderPicker();
    await open();
    expect(await screen.findByText('No Grafana user matches')).toBeInTheDocument();
  });

  it('explains a refused lookup (a Viewer): Grafana lists its users to admins only', async () => {
    // pkg/services/accesscontrol/middleware.go, deny: the 403 body Grafana sends.
    backend.on(
      'GET',
      LOOKUP,
      {
        title: 'Access denied',
        message:
          "You'll need additional permissions to perform this action. Permissions needed: any of org.users:read, teams.permissions:write, folders.permissions:write, dashboards.permissions:write",
        accessErrorId: 'ACE0123456789',
      },
      403,
    );
    renderPicker();
    await open();
    const error = await screen.findByTestId('data-testid inc-assignee-error');
    expect(error).toHaveTextContent(/only organization admins .* list its users/);
    expect(error).toHaveTextContent(/Permissions needed: any of org\.users:read/);
  });

  it('sends the login of the Grafana user picked', async () => {
    backend.on('GET', LOOKUP, users);
    renderPicker();
    await open();
    await userEvent.click(await screen.findByRole('option', { name: 'carol' }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith('carol');
  });

  it('sends a login Grafana does not list as it was typed', async () => {
    backend.on('GET', LOOKUP, []);
    renderPicker();
    await userEvent.type(screen.getByPlaceholderText('Search Grafana users'), 'oncall-dave');
    await userEvent.click(await screen.findByRole('option', { name: /oncall-dave/ }));
    expect(onChange).toHaveBeenCalledWith('oncall-dave');
  });

  it('still sends a typed login when Grafana refuses to list its users', async () => {
    backend.on('GET', LOOKUP, { title: 'Access denied', message: 'Permissions needed: org.users:read' }, 403);
    renderPicker();
    await userEvent.type(screen.getByPlaceholderText('Search Grafana users'), 'oncall-dave');
    await screen.findByTestId('data-testid inc-assignee-error');
    await userEvent.click(await screen.findByRole('option', { name: /oncall-dave/ }));
    expect(onChange).toHaveBeenCalledWith('oncall-dave');
  });
});
