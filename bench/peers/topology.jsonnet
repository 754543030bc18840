// The benchmark's peer topology in Jsonnet: per service a Deployment, a Service, an HPA (autoscaling/v2)
// and a NetworkPolicy admitting three callers; the same objects as bench/peers.py's Python floor.
// Run: jsonnet -S --ext-code n=1000 topology.jsonnet
local n = std.extVar('n');
local service(i) =
  local name = 'svc-%d' % i;
  local labels = { app: name };
  local meta = { name: name, namespace: 'ns-%d' % std.floor(i / 20), labels: labels };
  local callers = [(i * 7 + 1) % n, (i * 13 + 2) % n, (i * 31 + 3) % n];
  [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: labels },
          spec: { containers: [{
            name: name,
            image: 'registry.example.com/%s:1.0.0' % name,
            ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
          }] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: {
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 'metrics' }],
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: name },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: r[0], target: { type: 'Utilization', averageUtilization: r[1] } } }
          for r in [['cpu', 70], ['memory', 80]]
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-%d' % std.floor(c / 20) } },
              podSelector: { matchLabels: { app: 'svc-%d' % c } },
            }
            for c in callers
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        }],
      },
    },
  ];

std.manifestYamlStream(std.flattenArrays([service(i) for i in std.range(0, n - 1)]))
