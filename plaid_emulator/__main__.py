"""python -m plaid_emulator --host 127.0.0.1 --port 8765 [--client-id ID] [--secret SECRET]
[--state PATH] [--seed N]"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from .server import EmulatorServer


def _stop_once(*_) -> None:
    """The first SIGTERM stops the server the way Ctrl-C does; a second one (a supervisor
    that signals the group and the process) must not interrupt the shutdown under way, where
    it would surface as a KeyboardInterrupt traceback in the interpreter's exit hooks."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m plaid_emulator", description="A local emulation of Plaid's API and Link."
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--client-id", default=None, help="default: $PLAID_CLIENT_ID or the demo id")
    p.add_argument("--secret", default=None, help="default: $PLAID_SECRET or the demo secret")
    p.add_argument("--state", default=None, help="SQLite file; state survives restarts")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--ready-after-seconds",
        type=float,
        default=0.0,
        help="delay before a new item reaches INITIAL_UPDATE_COMPLETE",
    )
    p.add_argument(
        "--historical-after-seconds",
        type=float,
        default=0.0,
        help="delay before a new item reaches HISTORICAL_UPDATE_COMPLETE",
    )
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    srv = EmulatorServer(
        host=args.host,
        port=args.port,
        client_id=args.client_id,
        secret=args.secret,
        state_path=args.state,
        seed=args.seed,
        ready_after_seconds=args.ready_after_seconds,
        historical_after_seconds=args.historical_after_seconds,
    )
    # SIGTERM (honcho, make) must flush the state file just like Ctrl-C does.
    signal.signal(signal.SIGTERM, _stop_once)
    logging.getLogger("plaid_emulator").info(
        "Plaid emulator on %s (client_id=%s)%s",
        srv.url,
        srv.client_id,
        f", state in {args.state}" if args.state else "",
    )
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.httpd.server_close()
        srv.emu.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
