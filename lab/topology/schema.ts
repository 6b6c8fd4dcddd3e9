// The topology file's shape: TypeScript types for the code, a JSON Schema for editors and for
// structural validation (unknown keys, wrong types). Semantic rules live in validate.ts.

export type Role = 'controlplane' | 'worker';
export type RoutingMode = 'native' | 'tunnel';
export type CiliumBgpApi = 'peering-policy' | 'bgpv2-v2alpha1' | 'bgpv2-v2';
/** Cilium's loadBalancer.mode: how a node forwards to a backend on another node. */
export type LoadBalancerMode = 'snat' | 'dsr' | 'hybrid';
/** A Service's externalTrafficPolicy. */
export type TrafficPolicy = 'Local' | 'Cluster';
/** The cluster's IP families: IPv4 only (the reference) or dual-stack. */
export type ClusterFamily = 'ipv4' | 'dual';
/**
 * How the nodes' BGP sessions carry the two families in a dual-stack lab: one session per family
 * (IPv4 routes over IPv4 sessions, IPv6 over IPv6); multiprotocol over the IPv4 sessions (IPv6 routes
 * over them, with a next hop the router sets to the speaker's own IPv6 address); or both families over
 * the IPv6 sessions (IPv4 routes with the speaker's IPv6 next hop: extended next hop, RFC 8950).
 */
export type SessionLayout = 'per-family' | 'mp-over-v4' | 'v4-over-v6';

export interface ServiceSpec {
  name: string;
  port: number;
  trafficPolicy?: TrafficPolicy;
  /** Nodes that each run one backend pod. */
  backends: string[];
  address?: string;
  /** Inside loadBalancer.pool6 (dual-stack). */
  address6?: string;
}

export interface BgpTimers {
  connectDelay?: number;
  connectRetry?: number;
  hold?: number;
  keepalive?: number;
}

/**
 * BGP graceful restart (RFC 4724) on every session: the nodes' Cilium peers and BIRD's sessions.
 * restartTime: how long a peer keeps a restarting speaker's routes (1-4095 s, the capability's 12
 * bits; Cilium's and BIRD's default 120).
 */
export interface GracefulRestart {
  enabled: boolean;
  restartTime?: number;
}

export interface NodeSpec {
  name: string;
  role: Role;
  address?: string;
  podCIDR?: string;
  labels?: Record<string, string>;
  address6?: string;
  podCIDR6?: string;
}

export interface DatacentreSpec {
  name: string;
  lan: string;
  lan6?: string;
  router?: { address?: string; peeringAddress?: string; address6?: string; peeringAddress6?: string };
  /** How many routers serve the LAN (1-4). Several share its first host as a VRRP gateway. */
  routers?: number;
  nodes: NodeSpec[];
}

export interface Topology {
  name: string;
  routers: { asn: number; peering: string; reflection?: boolean; peering6?: string; vrrp?: { advertInterval?: number } };
  cluster: { asn: number; podCIDR: string; nodeMaskSize: number; family?: ClusterFamily; podCIDR6?: string; nodeMaskSize6?: number };
  versions?: { cilium?: string; talos?: string; openwrt?: string };
  bgp?: { timers?: BgpTimers; sessions?: SessionLayout; gracefulRestart?: GracefulRestart };
  cilium?: {
    autoDirectNodeRoutes?: boolean;
    routingMode?: RoutingMode;
    masquerade?: boolean;
    bgpApi?: CiliumBgpApi;
  };
  firewall?: { extraZones?: ExtraZoneSpec[] };
  internet?: { wan: string; hosts: string; wan6?: string; hosts6?: string };
  loadBalancer?: { pool: string; mode?: LoadBalancerMode; pool6?: string };
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
const cidr6String = { type: 'string', description: 'IPv6 network in CIDR form, e.g. 2001:db8:10::/64' };
const ip6String = { type: 'string', description: 'IPv6 address, e.g. 2001:db8:10::10' };
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
        peering6: { ...cidr6String, description: 'Dual-stack: IPv6 network between routers (default 2001:db8:172:16::/64); router i gets ::(i+1).' },
        reflection: {
          type: 'boolean',
          description: 'Use route reflection (the first router reflects) instead of a full iBGP mesh.',
        },
        vrrp: {
          type: 'object',
          additionalProperties: false,
          description: 'The VRRP gateway of a datacentre with several routers (keepalived).',
          properties: {
            advertInterval: { type: 'integer', minimum: 1, maximum: 255, description: 'Seconds between VRRP advertisements (default 1, as keepalived); a backup takes over after 3 of them plus its skew.' },
          },
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
        family: { enum: ['ipv4', 'dual'], description: 'IP families of the cluster (default ipv4); dual gives every network an IPv6 prefix beside its IPv4 one.' },
        podCIDR6: { ...cidr6String, description: 'Dual-stack: cluster IPv6 pod network (default 2001:db8:244::/48); node i gets its i-th block.' },
        nodeMaskSize6: { type: 'integer', minimum: 48, maximum: 120, description: 'Dual-stack: prefix length of a node IPv6 pod CIDR (default 64, as Kubernetes).' },
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
        gracefulRestart: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          description: 'BGP graceful restart (RFC 4724) on every session, rendered into the Cilium peer config and bird.conf. Absent: Cilium without it, BIRD "aware" (its default: it keeps a restarting peer\'s routes only if that peer asks).',
          properties: {
            enabled: { type: 'boolean' },
            restartTime: { type: 'integer', minimum: 1, maximum: 4095, description: 'Seconds a peer keeps a restarting speaker\'s routes (default 120, as Cilium and BIRD).' },
          },
        },
        sessions: {
          enum: ['per-family', 'mp-over-v4', 'v4-over-v6'],
          description: 'Dual-stack: one BGP session per family (default); IPv6 routes over the nodes\' IPv4 sessions (multiprotocol; the router sets their next hop to the speaker\'s IPv6 address); or IPv4 routes over the nodes\' IPv6 sessions (extended next hop, RFC 8950: IPv4 routes via the node\'s IPv6 address).',
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
        wan6: { ...cidr6String, description: 'Dual-stack: IPv6 network of the routers\' WAN ports (inside 2001:db8::/32; default 2001:db8:203:113::/64).' },
        hosts6: { ...cidr6String, description: 'Dual-stack: IPv6 network of the emulated internet hosts (inside 2001:db8::/32; default 2001:db8:198:51::/64).' },
      },
    },
    loadBalancer: {
      type: 'object',
      additionalProperties: false,
      required: ['pool'],
      properties: {
        pool: { ...cidrString, description: 'CiliumLoadBalancerIPPool for LoadBalancer Services; each address is announced over BGP as a /32.' },
        mode: { enum: ['snat', 'dsr', 'hybrid'], description: 'Cilium loadBalancer.mode for backends on another node (default snat).' },
        pool6: { ...cidr6String, description: 'Dual-stack: the pool\'s IPv6 block (default 2001:db8:250::/120); each address announced as a /128.' },
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
          address6: { ...ip6String, description: 'Dual-stack: inside loadBalancer.pool6; default: the pool\'s next free address.' },
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
          lan: { ...cidrString, description: 'LAN of the datacentre; the router gets the first host (with several routers, the first host is their VRRP gateway and they take the next ones).' },
          lan6: { ...cidr6String, description: 'Dual-stack: IPv6 LAN (default 2001:db8:10:<datacentre index>::/64); the router gets ::1.' },
          router: {
            type: 'object',
            additionalProperties: false,
            properties: { address: ipString, peeringAddress: ipString, address6: ip6String, peeringAddress6: ip6String },
          },
          routers: { type: 'integer', minimum: 1, maximum: 4, description: 'Routers on this LAN (default 1). Each peers with every node of the datacentre and with every other router; they share the LAN\'s first host as a VRRP gateway.' },
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
                address6: { ...ip6String, description: 'Dual-stack: default ::<n> for the IPv4 address\'s host number n (10.0.1.10 -> ...::10).' },
                podCIDR6: cidr6String,
              },
            },
          },
        },
      },
    },
  },
} as const;
