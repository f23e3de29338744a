// Scrape configuration of the chart: the controller's health port (/metrics) as a container port,
// a metrics Service and --health-port; prometheus.io/* annotations on both Pods behind
// metrics.enabled; optional ServiceMonitors whose endpoints name ports the selected Services have.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHART_DIR,
  containerArgs,
  find,
  HELM_UNAVAILABLE,
  helm,
  type KubeObject,
  NAMESPACE,
  podTemplate,
  render,
} from './chart.ts';
import { validateObject } from './model-check.ts';

interface ServicePort {
  name: string;
  port: number;
  targetPort: string | number;
}

interface Endpoint {
  port: string;
  path: string;
  scheme: string;
  interval: string;
  tlsConfig?: { serverName: string; ca: { secret: { name: string; key: string } } };
}

const templateMetadata = (deployment: KubeObject) =>
  (
    podTemplate(deployment) as unknown as {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    }
  ).metadata;

const annotationsOf = (deployment: KubeObject) => templateMetadata(deployment).annotations ?? {};

const containerPorts = (deployment: KubeObject) =>
  Object.fromEntries(
    (podTemplate(deployment).spec.containers[0]?.ports ?? []).map((p) => [p.name, p.containerPort]),
  );

const servicePorts = (service: KubeObject) => (service.spec as { ports: ServicePort[] }).ports;
const selectorOf = (service: KubeObject) =>
  (service.spec as { selector: Record<string, string> }).selector;

const scrapeAnnotations = (port: string, scheme: string) => ({
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': port,
  'prometheus.io/path': '/metrics',
  'prometheus.io/scheme': scheme,
});

describe('chart metrics', { skip: HELM_UNAVAILABLE }, () => {
  test('default: scrape annotations, the metrics port and Service, no ServiceMonitor', () => {
    const objects = render();
    const controller = find(objects, 'Deployment', 'orka-controller');
    const webhook = find(objects, 'Deployment', 'orka-webhook');
    assert.ok(containerArgs(controller).includes('--health-port=8082'));
    assert.equal(containerPorts(controller).metrics, 8082);
    assert.deepEqual(annotationsOf(controller), scrapeAnnotations('8082', 'http'));
    assert.equal(containerPorts(webhook).https, 9443);
    assert.deepEqual(annotationsOf(webhook), scrapeAnnotations('9443', 'https'));

    const service = find(objects, 'Service', 'orka-controller-metrics');
    assert.deepEqual(validateObject(service), []);
    assert.deepEqual(servicePorts(service), [
      { name: 'metrics', port: 8082, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    assert.equal((service.spec as { type: string }).type, 'ClusterIP');
    const podLabels = templateMetadata(controller).labels;
    for (const [key, value] of Object.entries(selectorOf(service))) {
      assert.equal(podLabels[key], value, `the Service selects the controller Pod by ${key}`);
    }
    assert.equal(
      objects.filter((o) => o.kind === 'ServiceMonitor').length,
      0,
      'ServiceMonitors are opt-in',
    );
  });

  test('metrics.enabled=false: no annotations and no metrics Service; own annotations kept', () => {
    const objects = render({
      metrics: { enabled: false },
      controller: { podAnnotations: { team: 'platform' } },
    });
    const controller = find(objects, 'Deployment', 'orka-controller');
    assert.deepEqual(annotationsOf(controller), { team: 'platform' });
    assert.deepEqual(annotationsOf(find(objects, 'Deployment', 'orka-webhook')), {});
    assert.ok(!objects.some((o) => o.metadata.name === 'orka-controller-metrics'));
    assert.equal(containerPorts(controller).metrics, 8082, 'the port is open either way');
  });

  test('podAnnotations override the scrape annotations; healthPort moves every reference', () => {
    const objects = render({
      controller: { healthPort: 9090, podAnnotations: { 'prometheus.io/scrape': 'false' } },
    });
    const controller = find(objects, 'Deployment', 'orka-controller');
    assert.ok(containerArgs(controller).includes('--health-port=9090'));
    assert.equal(containerPorts(controller).metrics, 9090);
    assert.deepEqual(annotationsOf(controller), {
      ...scrapeAnnotations('9090', 'http'),
      'prometheus.io/scrape': 'false',
    });
    assert.equal(servicePorts(find(objects, 'Service', 'orka-controller-metrics'))[0]?.port, 9090);
  });

  test('ServiceMonitors: each endpoint names a port of a Service it selects', () => {
    const objects = render({
      metrics: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'kps' } } },
    });
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    assert.deepEqual(monitors.map((m) => m.metadata.name).sort(), [
      'orka-controller',
      'orka-webhook',
    ]);
    const services = objects.filter((o) => o.kind === 'Service');
    for (const monitor of monitors) {
      assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
      assert.equal(monitor.metadata.namespace, NAMESPACE);
      assert.equal(monitor.metadata.labels?.release, 'kps');
      const spec = monitor.spec as {
        selector: { matchLabels: Record<string, string> };
        namespaceSelector: { matchNames: string[] };
        endpoints: Endpoint[];
      };
      assert.deepEqual(spec.namespaceSelector.matchNames, [NAMESPACE]);
      const selected = services.filter((service) =>
        Object.entries(spec.selector.matchLabels).every(
          ([key, value]) => service.metadata.labels?.[key] === value,
        ),
      );
      for (const endpoint of spec.endpoints) {
        assert.equal(endpoint.path, '/metrics');
        assert.equal(endpoint.interval, '15s');
        assert.ok(
          selected.some((service) => servicePorts(service).some((p) => p.name === endpoint.port)),
          `${monitor.metadata.name}: a selected Service has a port named ${endpoint.port}`,
        );
      }
    }
    const webhookEndpoint = (
      find(objects, 'ServiceMonitor', 'orka-webhook').spec as { endpoints: Endpoint[] }
    ).endpoints[0]!;
    assert.equal(webhookEndpoint.scheme, 'https');
    assert.deepEqual(webhookEndpoint.tlsConfig, {
      serverName: `orka-webhook.${NAMESPACE}.svc`,
      ca: { secret: { name: 'orka-webhook-tls', key: 'ca.crt' } },
    });
    const controllerEndpoint = (
      find(objects, 'ServiceMonitor', 'orka-controller').spec as { endpoints: Endpoint[] }
    ).endpoints[0]!;
    assert.equal(controllerEndpoint.scheme, 'http');
    assert.equal(controllerEndpoint.port, 'metrics');
  });

  test('helm lint passes with ServiceMonitors on', () => {
    const result = helm(['lint', CHART_DIR, '--strict'], {
      metrics: { serviceMonitor: { enabled: true } },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  const refusals: [string, unknown, RegExp][] = [
    ['a health port of 0', { controller: { healthPort: 0 } }, /controller\.healthPort/],
    ['a misspelt metrics key', { metrics: { enable: true } }, /enable/],
    [
      'an interval that is not a duration',
      { metrics: { serviceMonitor: { interval: 'often' } } },
      /metrics\.serviceMonitor\.interval/,
    ],
  ];
  for (const [name, values, names] of refusals) {
    test(`values.schema.json refuses ${name}`, () => {
      const result = helm(['template', 'orka', CHART_DIR], values);
      assert.notEqual(result.status, 0, `helm accepted ${JSON.stringify(values)}`);
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.match(result.stderr, names);
    });
  }
});
