/**
 * Resource records as text, the way `dig` and blackbox_exporter print them
 * (`name.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>data`), so a regex written against dig output works.
 */
import type { Answer } from 'dns-packet';

function fqdn(name: string): string {
  return name === '' || name === '.' ? '.' : `${name.replace(/\.$/, '')}.`;
}

function quoted(data: unknown): string {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => JSON.stringify(Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join(' ');
}

/** The data column of a record, by type; unknown types show their raw data as hex or JSON. */
function dataOf(rr: Answer): string {
  const data = (rr as { data?: unknown }).data;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return String(data);
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return fqdn(String(data));
    case 'MX': {
      const mx = data as { preference?: number; exchange: string };
      return `${mx.preference ?? 0} ${fqdn(mx.exchange)}`;
    }
    case 'SRV': {
      const srv = data as { priority?: number; weight?: number; port?: number; target: string };
      return `${srv.priority ?? 0} ${srv.weight ?? 0} ${srv.port ?? 0} ${fqdn(srv.target)}`;
    }
    case 'SOA': {
      const soa = data as {
        mname: string;
        rname: string;
        serial?: number;
        refresh?: number;
        retry?: number;
        expire?: number;
        minimum?: number;
      };
      return `${fqdn(soa.mname)} ${fqdn(soa.rname)} ${soa.serial ?? 0} ${soa.refresh ?? 0} ${soa.retry ?? 0} ${soa.expire ?? 0} ${soa.minimum ?? 0}`;
    }
    case 'TXT':
      return quoted(data);
    case 'CAA': {
      const caa = data as { flags?: number; tag: string; value: string };
      return `${caa.flags ?? 0} ${caa.tag} ${JSON.stringify(caa.value)}`;
    }
    default:
      return Buffer.isBuffer(data) ? data.toString('hex') : (JSON.stringify(data) ?? '');
  }
}

/** One record as text. An EDNS OPT pseudo-record shows its payload size in place of a TTL. */
export function recordText(rr: Answer): string {
  if (rr.type === 'OPT') return `.\t0\tOPT\tOPT\tudp=${(rr as { udpPayloadSize?: number }).udpPayloadSize ?? 0}`;
  const ttl = (rr as { ttl?: number }).ttl ?? 0;
  const cls = (rr as { class?: string }).class ?? 'IN';
  return `${fqdn(rr.name)}\t${ttl}\t${cls}\t${rr.type}\t${dataOf(rr)}`;
}

/** The SOA serial in the answer or authority section, for `probe_dns_serial`. */
export function soaSerial(...sections: (readonly Answer[] | undefined)[]): number | undefined {
  for (const section of sections) {
    for (const rr of section ?? []) {
      if (rr.type === 'SOA') return (rr.data as { serial?: number }).serial;
    }
  }
  return undefined;
}
