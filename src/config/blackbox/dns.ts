/** blackbox's `dns:` section as canary's `dns:` and `expect:`. */
import type { Draft } from './draft.js';
import type { Fields, FieldType } from './reader.js';
import { goRegex } from './regex.js';
import { TLS_FIELDS } from './tls.js';

export const DNS_FIELDS: Readonly<Record<string, FieldType>> = {
  preferred_ip_protocol: 'string',
  ip_protocol_fallback: 'bool',
  dns_over_tls: 'bool',
  tls_config: 'map',
  source_ip_address: 'string',
  transport_protocol: 'string',
  query_class: 'string',
  query_name: 'string',
  query_type: 'string',
  recursion_desired: 'bool',
  valid_rcodes: 'strings',
  validate_answer_rrs: 'map',
  validate_authority_rrs: 'map',
  validate_additional_rrs: 'map',
};

const VALIDATOR_FIELDS: Readonly<Record<string, FieldType>> = {
  fail_if_matches_regexp: 'strings',
  fail_if_all_match_regexp: 'strings',
  fail_if_not_matches_regexp: 'strings',
  fail_if_none_matches_regexp: 'strings',
};

const CLASSES = ['IN', 'CS', 'CH', 'HS', 'NONE', 'ANY'];

/** Record type names blackbox's DNS library knows; canary's schema says which it asks for. */
const TYPES = (
  'None A NS MD MF CNAME SOA MB MG MR NULL PTR HINFO MINFO MX TXT RP AFSDB X25 ISDN RT NSAPPTR SIG KEY PX GPOS ' +
  'AAAA LOC NXT EID NIMLOC SRV ATMA NAPTR KX CERT DNAME OPT APL DS SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID NSEC3 ' +
  'NSEC3PARAM TLSA SMIMEA HIP NINFO RKEY TALINK CDS CDNSKEY OPENPGPKEY CSYNC ZONEMD SVCB HTTPS SPF UINFO UID GID ' +
  'UNSPEC NID L32 L64 LP EUI48 EUI64 NXNAME URI CAA AVC AMTRELAY RESINFO TKEY TSIG IXFR AXFR MAILB MAILA ANY TA DLV Reserved'
).split(' ');

/**
 * The four validators of a section as canary record expectations. Blackbox's
 * fail_if_not_matches (every record matches, and there is one) and fail_if_all_match
 * (every record matches, none is fine too) are both canary's allMatch.
 */
function validator(dns: Fields, draft: Draft, key: string, section: 'answers' | 'authority' | 'additional'): void {
  const fields = dns.section(key, VALIDATOR_FIELDS);
  const kinds = [
    ['fail_if_matches_regexp', { as: 'notMatches' }],
    ['fail_if_none_matches_regexp', { as: 'matches' }],
    ['fail_if_not_matches_regexp', { as: 'allMatch' }],
    ['fail_if_all_match_regexp', { as: 'allMatch', allowEmpty: true }],
  ] as const;
  for (const [name, how] of kinds) {
    for (const [i, source] of (fields.strings(name) ?? []).entries()) {
      const at = fields.at(name, i);
      const read = goRegex(source);
      if ('invalid' in read) dns.report.problem(at, `${JSON.stringify(source)} ${read.invalid}`);
      else if ('unsupported' in read) draft.cannot(at, read.unsupported);
      else {
        const extra = 'allowEmpty' in how ? { allowEmpty: true } : {};
        draft.push(['expect', section], { [how.as]: read.ok, ...extra }, at);
      }
    }
  }
}

function query(dns: Fields, draft: Draft): void {
  const name = dns.str('query_name');
  if (name === undefined || name === '') dns.report.problem(dns.path, 'query_name must be set for a dns module');
  else draft.set(['dns', 'queryName'], name, dns.at('query_name'));
  const type = dns.str('query_type');
  if (type !== undefined && type !== '' && !TYPES.includes(type)) {
    dns.report.problem(dns.at('query_type'), `query type ${JSON.stringify(type)} is not valid`);
  } else draft.set(['dns', 'type'], type || 'ANY', dns.at(type ? 'query_type' : 'query_name'));
  const cls = dns.str('query_class');
  if (cls !== undefined && cls !== '' && !CLASSES.includes(cls)) {
    dns.report.problem(dns.at('query_class'), `query class ${JSON.stringify(cls)} is not valid`);
  } else if (cls !== undefined && cls !== '' && cls !== 'IN') {
    draft.cannot(dns.at('query_class'), `canary asks in class IN, not ${cls}`);
  }
}

/** Translates a dns module's `dns:` section; the /probe target is the server, as in blackbox. */
export function translateDns(dns: Fields, draft: Draft): void {
  query(dns, draft);
  const transport = dns.str('transport_protocol');
  if (transport !== undefined && transport !== '')
    draft.set(['dns', 'transport'], transport, dns.at('transport_protocol'));
  draft.copy(dns, 'recursion_desired', 'bool', ['dns', 'recursion']);
  draft.copy(dns, 'valid_rcodes', 'strings', ['expect', 'rcode']);
  validator(dns, draft, 'validate_answer_rrs', 'answers');
  validator(dns, draft, 'validate_authority_rrs', 'authority');
  validator(dns, draft, 'validate_additional_rrs', 'additional');
  if (dns.bool('dns_over_tls') === true)
    draft.cannot(dns.at('dns_over_tls'), 'DNS over TLS is not available in canary');
  dns.section('tls_config', TLS_FIELDS);
  if (dns.has('source_ip_address'))
    draft.cannot(dns.at('source_ip_address'), 'canary sends DNS queries from the default address');
  if (dns.has('preferred_ip_protocol') || dns.has('ip_protocol_fallback')) {
    draft.note(
      dns.at(dns.has('preferred_ip_protocol') ? 'preferred_ip_protocol' : 'ip_protocol_fallback'),
      "canary's dns target is the server's IP address, whose family decides",
    );
  }
}
