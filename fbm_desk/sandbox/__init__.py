"""The built-in Amazon sandbox: a stateful imitation of LWA, Seller Central consent and the SP-API subset
FBM Desk uses, on loopback. It is the app's demo mode and the backbone of the end-to-end tests.

    with start_sandbox(speedup=600) as sb:
        sb.info.endpoint, sb.info.refresh_token, sb.world.add_order(...)
"""

from fbm_desk.sandbox.running import RunningSandbox, SandboxInfo, start_sandbox
from fbm_desk.sandbox.world import World

__all__ = ["RunningSandbox", "SandboxInfo", "World", "start_sandbox"]
