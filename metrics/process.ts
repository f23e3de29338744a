// The standard process metric every Prometheus client library exports: CPU time this process has
// used, read when scraped. Summed across the workers of `orka webhook --workers N`, it is the
// pod's CPU, which divided by reviews answered gives the CPU one review costs.
import type { Metric, MetricSnapshot } from './prometheus.ts';
import { renderSnapshot } from './prometheus.ts';

export class ProcessCpuSeconds implements Metric {
  snapshot(): MetricSnapshot {
    const { user, system } = process.cpuUsage();
    return {
      type: 'counter',
      name: 'process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      merge: 'sum',
      series: [{ labels: {}, value: (user + system) / 1e6 }],
    };
  }

  render(): string[] {
    return renderSnapshot(this.snapshot());
  }
}
