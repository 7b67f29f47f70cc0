#!/usr/bin/env python3
# Copied unchanged from /work/shared/testkit/net/udp_chaos_proxy.py (the project testkit) for the fault tests.
"""UDP fault-injection proxy (replacement for netem delay, which this kernel lacks).
  udp_chaos_proxy.py LISTEN_HOST:PORT TARGET_HOST:PORT [--delay-ms 200] [--jitter-ms 0] [--loss 0.3] [--seed N]
Each client gets its own upstream socket so replies route back correctly. Prints 'READY' when bound."""
import argparse, asyncio, random

ap = argparse.ArgumentParser()
ap.add_argument("listen"); ap.add_argument("target")
ap.add_argument("--delay-ms", type=float, default=0); ap.add_argument("--jitter-ms", type=float, default=0)
ap.add_argument("--loss", type=float, default=0); ap.add_argument("--seed", type=int)
a = ap.parse_args(); rnd = random.Random(a.seed)
hp = lambda s: (s.rsplit(":", 1)[0], int(s.rsplit(":", 1)[1]))

def later(fn):
    if rnd.random() < a.loss: return                       # drop
    d = max(0.0, a.delay_ms + rnd.uniform(-a.jitter_ms, a.jitter_ms)) / 1000
    asyncio.get_running_loop().call_later(d, fn)

class Upstream(asyncio.DatagramProtocol):
    def __init__(self, front, client): self.front, self.client = front, client
    def connection_made(self, t): self.t = t
    def datagram_received(self, data, _): later(lambda: self.front.sendto(data, self.client))

class Front(asyncio.DatagramProtocol):
    def __init__(self): self.ups = {}
    def connection_made(self, t): self.t = t
    def datagram_received(self, data, client):
        async def go():
            if client not in self.ups:
                loop = asyncio.get_running_loop()
                self.ups[client] = (await loop.create_datagram_endpoint(lambda: Upstream(self.t, client), remote_addr=hp(a.target)))[0]
            self.ups[client].sendto(data)
        later(lambda: asyncio.ensure_future(go()))

async def main():
    await asyncio.get_running_loop().create_datagram_endpoint(Front, local_addr=hp(a.listen))
    print("READY", flush=True); await asyncio.Event().wait()
asyncio.run(main())
