{
  "targets": [
    {
      "target_name": "canary_icmp",
      "sources": [
        "src/probes/icmp/native/addon.c",
        "src/probes/icmp/native/socket.c",
        "src/probes/icmp/native/receive.c"
      ],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
