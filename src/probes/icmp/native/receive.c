/* Reading an ICMP socket: replies with their TTL or hop limit, and queued ICMP errors. */
#include "icmp_socket.h"

static void set_int(napi_env env, napi_value object, const char *key, int value) {
  napi_value number;
  napi_create_int32(env, value, &number);
  napi_set_named_property(env, object, key, number);
}

static void set_address(napi_env env, napi_value object, const char *key, const struct sockaddr *addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, text, sizeof text);
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, text, sizeof text);
  napi_value value;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, key, value);
}

static void set_data(napi_env env, napi_value object, const unsigned char *data, size_t length) {
  napi_value buffer;
  void *copy;
  napi_create_buffer_copy(env, length, data, &copy, &buffer);
  napi_set_named_property(env, object, "data", buffer);
}

/* An ICMP error from the error queue: { error: errno, origin, type, code, offender, data }. */
static napi_value queued_error(napi_env env, struct msghdr *msg, const unsigned char *data, size_t length) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
          (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
      continue;
    const struct sock_extended_err *ee = (const struct sock_extended_err *)CMSG_DATA(c);
    napi_value object;
    CHECK(napi_create_object(env, &object));
    set_int(env, object, "error", (int)ee->ee_errno);
    set_int(env, object, "origin", ee->ee_origin);
    set_int(env, object, "type", ee->ee_type);
    set_int(env, object, "code", ee->ee_code);
    set_int(env, object, "info", (int)ee->ee_info);
    set_address(env, object, "offender", SO_EE_OFFENDER(ee));
    set_data(env, object, data, length);
    return object;
  }
  return NULL;
}

/* A received message: { data (ICMP header onwards), from, hopLimit (-1: unknown) }. */
static napi_value message(napi_env env, icmp_socket *s, struct msghdr *msg, const unsigned char *data, size_t length) {
  int hop_limit = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
        (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
      memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
  }
  if (s->raw && s->family == AF_INET) {
    /* A raw IPv4 socket reads the IP header too. */
    size_t header = length > 0 ? (size_t)(data[0] & 0x0f) * 4 : 0;
    if (header < 20 || header > length) header = length;
    if (hop_limit < 0 && length >= 20) hop_limit = data[8];
    data += header;
    length -= header;
  }
  napi_value object;
  CHECK(napi_create_object(env, &object));
  set_data(env, object, data, length);
  set_address(env, object, "from", (const struct sockaddr *)msg->msg_name);
  set_int(env, object, "hopLimit", hop_limit);
  return object;
}

/* receive(socket): null when nothing is waiting, else a message, a queued ICMP error or { errno }. */
napi_value Receive(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  icmp_socket *s = unwrap(env, argv[0]);
  if (s == NULL) return NULL;
  static unsigned char buffer[65536];
  unsigned char control[512];
  struct sockaddr_storage from;
  struct iovec iov = {buffer, sizeof buffer};
  struct msghdr msg = {&from, sizeof from, &iov, 1, control, sizeof control, 0};
  memset(&from, 0, sizeof from);
  ssize_t n = recvmsg(s->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  if (n >= 0) {
    result = queued_error(env, &msg, buffer, (size_t)n);
    if (result != NULL) return result;
  }
  struct msghdr plain = {&from, sizeof from, &iov, 1, control, sizeof control, 0};
  memset(&from, 0, sizeof from);
  n = recvmsg(s->fd, &plain, MSG_DONTWAIT);
  if (n >= 0) return message(env, s, &plain, buffer, (size_t)n);
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    CHECK(napi_get_null(env, &result));
    return result;
  }
  CHECK(napi_create_object(env, &result));
  set_int(env, result, "errno", errno);
  return result;
}

