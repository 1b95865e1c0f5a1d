/*
 * ICMP echo sockets for Node.js, which has no socket API for them.
 *
 * Node-API only (no V8 or libuv ABI beyond uv_poll): one build loads on every Node.js
 * release that has Node-API 8, so the same binary serves Node 20 and Node 24.
 *
 * The socket is either an unprivileged ICMP datagram socket (Linux "ping socket",
 * allowed by net.ipv4.ping_group_range) or a raw socket (root or CAP_NET_RAW). What
 * the JavaScript side sees is the same for both: ICMP messages without the IP header,
 * the reply's TTL or hop limit, and ICMP errors from the socket's error queue.
 */
#include "icmp_socket.h"

/* Throws an Error carrying `errno` and `syscall`, as node's own socket errors do. */
napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value message, error, number, name;
  char text[160];
  snprintf(text, sizeof text, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, error, "syscall", name);
  napi_throw(env, error);
  return NULL;
}

static void on_handle_closed(uv_handle_t *handle) {
  icmp_socket *s = handle->data;
  close(s->fd);
  s->handle_closed = 1;
  if (s->finalized) free(s);
}

static void start_close(icmp_socket *s) {
  if (s->closing) return;
  s->closing = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

void finalize(napi_env env, void *data, void *hint) {
  icmp_socket *s = data;
  s->finalized = 1;
  if (s->callback != NULL) napi_delete_reference(env, s->callback);
  if (s->context != NULL) napi_async_destroy(env, s->context);
  s->callback = NULL;
  s->context = NULL;
  if (!s->closing) start_close(s);
  else if (s->handle_closed) free(s);
}

icmp_socket *unwrap(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "not an ICMP socket");
    return NULL;
  }
  icmp_socket *s = data;
  if (s->closing) {
    napi_throw_error(env, NULL, "ICMP socket is closed");
    return NULL;
  }
  return s;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  icmp_socket *s = handle->data;
  if (s->callback == NULL) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_value callback, receiver, argv[1], result;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_global(env, &receiver);
  napi_create_int32(env, status, &argv[0]);
  if (napi_make_callback(env, s->context, receiver, callback, 1, argv, &result) == napi_pending_exception) {
    /* A throwing callback is a bug on the JavaScript side: report it as uncaught, not swallowed. */
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

/* watch(socket, callback | null): calls back while the socket is readable; null stops it. */
static napi_value Watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype type;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  icmp_socket *s = unwrap(env, argv[0]);
  if (s == NULL) return NULL;
  if (s->callback != NULL) napi_delete_reference(env, s->callback);
  s->callback = NULL;
  CHECK(napi_typeof(env, argv[1], &type));
  if (type != napi_function) {
    uv_poll_stop(&s->poll);
    return NULL;
  }
  CHECK(napi_create_reference(env, argv[1], 1, &s->callback));
  int status = uv_poll_start(&s->poll, UV_READABLE, on_readable);
  if (status != 0) return throw_errno(env, "uv_poll_start", -status);
  return NULL;
}

/* close(socket): idempotent. */
static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) return NULL;
  icmp_socket *s = data;
  if (s->callback != NULL) napi_delete_reference(env, s->callback);
  s->callback = NULL;
  start_close(s);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, Configure, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
      {"receive", NULL, Receive, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, Watch, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
