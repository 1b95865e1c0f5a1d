/* What the files of the ICMP socket addon share: the socket record and a few helpers. */
#ifndef CANARY_ICMP_SOCKET_H
#define CANARY_ICMP_SOCKET_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>


typedef struct {
  int fd;
  int family; /* AF_INET or AF_INET6 */
  int raw;    /* 1: SOCK_RAW (IPv4 reads carry the IP header) */
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int closing, handle_closed, finalized;
} icmp_socket;

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) return NULL;                                                                                \
  } while (0)


napi_value throw_errno(napi_env env, const char *syscall, int err);
/* The socket behind `value`; NULL with a pending exception when it is not one, or closed. */
icmp_socket *unwrap(napi_env env, napi_value value);
void finalize(napi_env env, void *data, void *hint);

napi_value Open(napi_env env, napi_callback_info info);
napi_value Configure(napi_env env, napi_callback_info info);
napi_value Send(napi_env env, napi_callback_info info);
napi_value Receive(napi_env env, napi_callback_info info);

#endif
