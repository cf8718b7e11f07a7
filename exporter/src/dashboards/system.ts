import { dashboard, row, sel, statPanel, tablePanel, timeseriesPanel, traffic } from './common';

/**
 * Host metrics under node_exporter's own names and labels, so this board works with Perfwatch's
 * collector and with a real node_exporter alike.
 */
export function systemDashboard() {
  const s = sel();
  const fs = sel({ extra: 'fstype!~"tmpfs|ramfs|squashfs|overlay", mountpoint!=""' });
  const dev = sel({ extra: 'device!~"lo|veth.*|docker.*|br-.*"' });
  const d = dashboard(
    'perfwatch-system',
    'Perfwatch / System',
    'CPU, memory, load, filesystems, disks and network from node_exporter-compatible metrics (Perfwatch or node_exporter).',
    { anchor: 'node_uname_info' },
  );

  d.withRow(row('Now'))
    .withPanel(
      statPanel(
        'CPU busy',
        { expr: `1 - avg(rate(node_cpu_seconds_total${sel({ extra: 'mode="idle"' })}[5m]))` },
        { unit: 'percentunit', decimals: 1, w: 4, thresholds: traffic(0.7, 0.85) },
      ),
    )
    .withPanel(
      statPanel(
        'Memory used',
        { expr: `1 - sum(node_memory_MemAvailable_bytes${s}) / sum(node_memory_MemTotal_bytes${s})` },
        { unit: 'percentunit', decimals: 1, w: 4, thresholds: traffic(0.7, 0.8) },
      ),
    )
    .withPanel(
      statPanel(
        'Lowest free disk',
        { expr: `min(node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs})` },
        {
          unit: 'percentunit',
          decimals: 1,
          w: 4,
          thresholds: traffic(0, 0).steps([
            { value: null, color: 'red' },
            { value: 0.1, color: 'orange' },
            { value: 0.2, color: 'green' },
          ]),
        },
      ),
    )
    .withPanel(statPanel('Load (1m)', { expr: `max(node_load1${s})` }, { decimals: 2, w: 4 }))
    .withPanel(
      statPanel(
        'CPUs',
        { expr: `count(count by (instance, cpu) (node_cpu_seconds_total${s}))` },
        { decimals: 0, w: 4 },
      ),
    )
    .withPanel(
      statPanel('Uptime', { expr: `max(time() - node_boot_time_seconds${s})` }, { unit: 's', w: 4 }),
    );

  d.withRow(row('CPU and memory'))
    .withPanel(
      timeseriesPanel(
        'CPU by mode',
        [
          {
            expr: `sum by (mode) (rate(node_cpu_seconds_total${sel({ extra: 'mode!="idle"' })}[$__rate_interval])) / scalar(count(count by (instance, cpu) (node_cpu_seconds_total${s})))`,
            legend: '{{mode}}',
          },
        ],
        { unit: 'percentunit', min: 0 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Load average',
        [
          { expr: `node_load1${s}`, legend: '1m {{instance}}' },
          { expr: `node_load5${s}`, legend: '5m {{instance}}' },
          { expr: `node_load15${s}`, legend: '15m {{instance}}' },
        ],
        { min: 0 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Memory',
        [
          { expr: `node_memory_MemTotal_bytes${s}`, legend: 'total {{instance}}' },
          {
            expr: `node_memory_MemTotal_bytes${s} - node_memory_MemAvailable_bytes${s}`,
            legend: 'used {{instance}}',
          },
          { expr: `node_memory_MemAvailable_bytes${s}`, legend: 'available {{instance}}' },
        ],
        { unit: 'bytes', min: 0, w: 24 },
      ),
    );

  d.withRow(row('Filesystems and disks'))
    .withPanel(
      tablePanel(
        'Filesystems',
        [
          { expr: `node_filesystem_size_bytes${fs}` },
          { expr: `node_filesystem_avail_bytes${fs}` },
          { expr: `node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs}` },
        ],
        ['Size', 'Available', 'Free'],
        { w: 24, h: 6, hide: ['__name__', 'job'], sortBy: 'Size' },
      )
        .overrideByName('Size', [{ id: 'unit', value: 'bytes' }])
        .overrideByName('Available', [{ id: 'unit', value: 'bytes' }])
        .overrideByName('Free', [{ id: 'unit', value: 'percentunit' }]),
    )
    .withPanel(
      timeseriesPanel(
        'Disk read and write',
        [
          {
            expr: `rate(node_disk_read_bytes_total${s}[$__rate_interval])`,
            legend: 'read {{instance}} {{device}}',
          },
          {
            expr: `rate(node_disk_written_bytes_total${s}[$__rate_interval])`,
            legend: 'write {{instance}} {{device}}',
          },
        ],
        { unit: 'Bps' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Disk busy',
        [
          {
            expr: `rate(node_disk_io_time_seconds_total${s}[$__rate_interval])`,
            legend: '{{instance}} {{device}}',
          },
        ],
        { unit: 'percentunit', min: 0 },
      ),
    );

  d.withRow(row('Network'))
    .withPanel(
      timeseriesPanel(
        'Network traffic',
        [
          {
            expr: `rate(node_network_receive_bytes_total${dev}[$__rate_interval])`,
            legend: 'in {{instance}} {{device}}',
          },
          {
            expr: `rate(node_network_transmit_bytes_total${dev}[$__rate_interval])`,
            legend: 'out {{instance}} {{device}}',
          },
        ],
        { unit: 'Bps' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Network errors and drops',
        [
          {
            expr: `rate(node_network_receive_errs_total${dev}[$__rate_interval]) + rate(node_network_transmit_errs_total${dev}[$__rate_interval])`,
            legend: 'errors {{instance}} {{device}}',
          },
          {
            expr: `rate(node_network_receive_drop_total${dev}[$__rate_interval]) + rate(node_network_transmit_drop_total${dev}[$__rate_interval])`,
            legend: 'drops {{instance}} {{device}}',
          },
        ],
        { unit: 'pps', min: 0 },
      ),
    );
  return d;
}
