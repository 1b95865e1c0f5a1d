/* Opening and configuring an ICMP socket, and sending on it. */
#include "icmp_socket.h"

static int enable(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

/* Options every socket gets: replies' TTL / hop limit, and ICMP errors queued for reading. */
static int prepare(icmp_socket *s) {
  if (s->family == AF_INET) {
    if (enable(s->fd, IPPROTO_IP, IP_RECVTTL, 1) < 0) return -1;
    return enable(s->fd, IPPROTO_IP, IP_RECVERR, 1);
  }
  if (enable(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0) return -1;
  if (enable(s->fd, IPPROTO_IPV6, IPV6_RECVERR, 1) < 0) return -1;
  if (s->raw) {
    /* A raw ICMPv6 socket sees all ICMPv6 traffic (neighbour discovery too): only replies matter. */
    struct icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    return setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  }
  return 0;
}

/* open(family: 4 | 6, raw: boolean): socket */
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result, name;
  int32_t version;
  bool raw;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &version));
  CHECK(napi_get_value_bool(env, argv[1], &raw));
  int family = version == 6 ? AF_INET6 : AF_INET;
  int protocol = version == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  int fd = socket(family, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return throw_errno(env, "socket", errno);
  icmp_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  s->fd = fd;
  s->family = family;
  s->raw = raw;
  s->env = env;
  if (prepare(s) < 0) {
    int err = errno;
    close(fd);
    free(s);
    return throw_errno(env, "setsockopt", err);
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  int status = uv_poll_init_socket(loop, &s->poll, fd);
  if (status != 0) {
    close(fd);
    free(s);
    return throw_errno(env, "uv_poll_init", -status);
  }
  s->poll.data = s;
  CHECK(napi_create_external(env, s, finalize, NULL, &result));
  CHECK(napi_create_string_utf8(env, "canary.icmp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &s->context));
  return result;
}

/* Fills `addr` from an IP literal of the socket's family; 0 on success. */
static int parse_address(icmp_socket *s, const char *text, struct sockaddr_storage *addr, socklen_t *len) {
  memset(addr, 0, sizeof *addr);
  if (s->family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)addr;
    in->sin_family = AF_INET;
    *len = sizeof *in;
    return inet_pton(AF_INET, text, &in->sin_addr) == 1 ? 0 : -1;
  }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
  in6->sin6_family = AF_INET6;
  *len = sizeof *in6;
  return inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 ? 0 : -1;
}

static napi_value address_arg(napi_env env, icmp_socket *s, napi_value value, struct sockaddr_storage *addr,
                              socklen_t *len) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t copied;
  CHECK(napi_get_value_string_utf8(env, value, text, sizeof text, &copied));
  if (parse_address(s, text, addr, len) != 0) {
    napi_throw_type_error(env, NULL, "not an IP address of the socket's family");
    return NULL;
  }
  napi_value ok;
  napi_get_boolean(env, true, &ok);
  return ok;
}

/* configure(socket, ttl: number (0: system default), dontFragment: boolean, source: string ('': any)) */
napi_value Configure(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t ttl;
  bool dont_fragment;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  icmp_socket *s = unwrap(env, argv[0]);
  if (s == NULL) return NULL;
  CHECK(napi_get_value_int32(env, argv[1], &ttl));
  CHECK(napi_get_value_bool(env, argv[2], &dont_fragment));
  int v4 = s->family == AF_INET;
  if (ttl > 0 && enable(s->fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, ttl) < 0)
    return throw_errno(env, "setsockopt", errno);
  if (dont_fragment) {
    int failed = v4 ? enable(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
                    : enable(s->fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1);
    if (failed < 0) return throw_errno(env, "setsockopt", errno);
  }
  size_t length;
  CHECK(napi_get_value_string_utf8(env, argv[3], NULL, 0, &length));
  if (length > 0) {
    struct sockaddr_storage addr;
    socklen_t len;
    if (address_arg(env, s, argv[3], &addr, &len) == NULL) return NULL;
    if (bind(s->fd, (struct sockaddr *)&addr, len) < 0) return throw_errno(env, "bind", errno);
  }
  return NULL;
}

/* send(socket, message: Buffer, address: string) */
napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *data;
  size_t length;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  icmp_socket *s = unwrap(env, argv[0]);
  if (s == NULL) return NULL;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  struct sockaddr_storage addr;
  socklen_t len;
  if (address_arg(env, s, argv[2], &addr, &len) == NULL) return NULL;
  if (sendto(s->fd, data, length, 0, (struct sockaddr *)&addr, len) < 0) return throw_errno(env, "sendto", errno);
  return NULL;
}

