// The topology file's shape: TypeScript types for the code, a JSON Schema for editors and for
// structural validation (unknown keys, wrong types). Semantic rules live in validate.ts.

export type Role = 'controlplane' | 'worker';
export type RoutingMode = 'native' | 'tunnel';
export type CiliumBgpApi = 'peering-policy' | 'bgpv2-v2alpha1' | 'bgpv2-v2';
/** Cilium's loadBalancer.mode: how a node forwards to a backend on another node. */
export type LoadBalancerMode = 'snat' | 'dsr' | 'hybrid';
/** A Service's externalTrafficPolicy. */
export type TrafficPolicy = 'Local' | 'Cluster';

export interface ServiceSpec {
  name: string;
  port: number;
  trafficPolicy?: TrafficPolicy;
  /** Nodes that each run one backend pod. */
  backends: string[];
  address?: string;
}

export interface BgpTimers {
  connectDelay?: number;
  connectRetry?: number;
  hold?: number;
  keepalive?: number;
}

export interface NodeSpec {
  name: string;
  role: Role;
  address?: string;
  podCIDR?: string;
  labels?: Record<string, string>;
}

export interface DatacentreSpec {
  name: string;
  lan: string;
  router?: { address?: string; peeringAddress?: string };
  nodes: NodeSpec[];
}

export interface Topology {
  name: string;
  routers: { asn: number; peering: string; reflection?: boolean };
  cluster: { asn: number; podCIDR: string; nodeMaskSize: number };
  versions?: { cilium?: string; talos?: string; openwrt?: string };
  bgp?: { timers?: BgpTimers };
  cilium?: {
    autoDirectNodeRoutes?: boolean;
    routingMode?: RoutingMode;
    masquerade?: boolean;
    bgpApi?: CiliumBgpApi;
  };
  firewall?: { extraZones?: ExtraZoneSpec[] };
  internet?: { wan: string; hosts: string };
  loadBalancer?: { pool: string; mode?: LoadBalancerMode };
  services?: ServiceSpec[];
  datacentres: DatacentreSpec[];
}

/** A zone beyond the reference's lan/wan/peering, so assertion 9 has something to refuse. */
export interface ExtraZoneSpec {
  name: string;
  datacentre: string;
  subnet: string;
  forwardTo?: string[];
}

const name = { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$' };
const cidrString = { type: 'string', description: 'IPv4 network in CIDR form, e.g. 10.0.0.0/24' };
const ipString = { type: 'string', description: 'IPv4 address, e.g. 10.0.0.10' };
const asn = { type: 'integer', minimum: 1, maximum: 4294967295 };
const seconds = { type: 'integer', minimum: 0, maximum: 65535 };

export const TOPOLOGY_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://native-routing-lab.dev/schema/topology.schema.json',
  title: 'native-routing-lab topology',
  description: 'Datacentres with a BIRD router each, Kubernetes nodes running Cilium in native routing mode, peered over BGP.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'routers', 'cluster', 'datacentres'],
  properties: {
    name: { ...name, description: 'Lab name (lowercase DNS label).' },
    routers: {
      type: 'object',
      additionalProperties: false,
      required: ['asn', 'peering'],
      properties: {
        asn: { ...asn, description: 'AS number of every router; routers peer over iBGP.' },
        peering: { ...cidrString, description: 'Network between routers; router i gets host i+1.' },
        reflection: {
          type: 'boolean',
          description: 'Use route reflection (the first router reflects) instead of a full iBGP mesh.',
        },
      },
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['asn', 'podCIDR', 'nodeMaskSize'],
      properties: {
        asn: { ...asn, description: 'AS number of the Cilium nodes; must differ from routers.asn.' },
        podCIDR: { ...cidrString, description: 'Cluster pod network; node i gets its i-th block.' },
        nodeMaskSize: { type: 'integer', minimum: 8, maximum: 30, description: 'Prefix length of a node pod CIDR.' },
      },
    },
    versions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cilium: { type: 'string', pattern: '^v?\\d+\\.\\d+(\\.(\\d+|x))?$' },
        talos: { type: 'string', pattern: '^v?\\d+\\.\\d+(\\.(\\d+|x))?(-[0-9A-Za-z.]+)?$' },
        openwrt: { type: 'string', pattern: '^\\d+\\.\\d+(\\.\\d+)?$' },
      },
    },
    bgp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timers: {
          type: 'object',
          additionalProperties: false,
          description: 'Seconds. Absent: BIRD and Cilium keep their own defaults.',
          properties: { connectDelay: seconds, connectRetry: seconds, hold: seconds, keepalive: seconds },
        },
      },
    },
    cilium: {
      type: 'object',
      additionalProperties: false,
      properties: {
        autoDirectNodeRoutes: { type: 'boolean' },
        routingMode: { enum: ['native', 'tunnel'], description: 'tunnel exists for negative controls.' },
        masquerade: { type: 'boolean', description: 'true exists for negative controls.' },
        bgpApi: {
          enum: ['peering-policy', 'bgpv2-v2alpha1', 'bgpv2-v2'],
          description: 'Cilium BGP API to render; default: the newest the Cilium version speaks.',
        },
      },
    },
    firewall: {
      type: 'object',
      additionalProperties: false,
      properties: {
        extraZones: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'datacentre', 'subnet'],
            properties: {
              name,
              datacentre: name,
              subnet: cidrString,
              forwardTo: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    internet: {
      type: 'object',
      additionalProperties: false,
      required: ['wan', 'hosts'],
      properties: {
        wan: { ...cidrString, description: 'Network of the routers\' WAN ports (documentation prefix).' },
        hosts: { ...cidrString, description: 'Network of the emulated internet hosts (documentation prefix).' },
      },
    },
    loadBalancer: {
      type: 'object',
      additionalProperties: false,
      required: ['pool'],
      properties: {
        pool: { ...cidrString, description: 'CiliumLoadBalancerIPPool for LoadBalancer Services; each address is announced over BGP as a /32.' },
        mode: { enum: ['snat', 'dsr', 'hybrid'], description: 'Cilium loadBalancer.mode for backends on another node (default snat).' },
      },
    },
    services: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'port', 'backends'],
        properties: {
          name,
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          trafficPolicy: { enum: ['Local', 'Cluster'], description: 'externalTrafficPolicy (default Cluster).' },
          backends: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Nodes that each run one backend pod of the Service.' },
          address: { ...ipString, description: 'Inside loadBalancer.pool; default: the pool\'s next free address.' },
        },
      },
    },
    datacentres: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'lan', 'nodes'],
        properties: {
          name,
          lan: { ...cidrString, description: 'LAN of the datacentre; the router gets the first host.' },
          router: {
            type: 'object',
            additionalProperties: false,
            properties: { address: ipString, peeringAddress: ipString },
          },
          nodes: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'role'],
              properties: {
                name,
                role: { enum: ['controlplane', 'worker'] },
                address: { ...ipString, description: 'Default: the LAN\'s 10th host onward.' },
                podCIDR: cidrString,
                labels: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
} as const;
