import { normaliseQueryRoute, UNMATCHED_ROUTE } from '../src/core/samples';

describe('the route of an ingested query', () => {
  test('a method and a path keep the method first and the slash on the path', () => {
    expect(normaliseQueryRoute('POST /checkout')).toBe('POST /checkout');
    expect(normaliseQueryRoute('GET orders/{id}')).toBe('GET /orders/{id}');
    expect(normaliseQueryRoute('patch /users/:id')).toBe('PATCH /users/:id');
  });

  test('a bare template gets its leading slash', () => {
    expect(normaliseQueryRoute('invoices/{id}')).toBe('/invoices/{id}');
    expect(normaliseQueryRoute('/invoices/{id}')).toBe('/invoices/{id}');
  });

  test('names of jobs, named routes and controller actions stay as sent', () => {
    expect(normaliseQueryRoute('mail:SendInvoice')).toBe('mail:SendInvoice');
    expect(normaliseQueryRoute('orders.index')).toBe('orders.index');
    expect(normaliseQueryRoute('CartController@show')).toBe('CartController@show');
    expect(normaliseQueryRoute(UNMATCHED_ROUTE)).toBe(UNMATCHED_ROUTE);
  });

  test('a job led by its queue keeps its name when the job name holds a slash', () => {
    expect(normaliseQueryRoute('queue:reports/monthly')).toBe('queue:reports/monthly');
    expect(normaliseQueryRoute('users/:id')).toBe('/users/:id');
  });
});
