// Plain TCP sockets on 127.0.0.1 for the test peers (web server, relays, proxies).
#pragma once

namespace tern::test {

// A TCP socket bound to 127.0.0.1 on a port the kernel picks; sets `port`. Throws std::system_error.
int bind_loopback(int& port);
// bind_loopback() and listen(); throws std::system_error.
int listen_loopback(int& port);
// A connected socket to 127.0.0.1:port, or -1 when the connection is refused.
int connect_loopback(int port);

}  // namespace tern::test
