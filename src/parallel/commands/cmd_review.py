"""``parallel-corpus review ALIGNMENT [--port N]``."""

from __future__ import annotations

import click

from .options import note, quiet_option


@click.command("review", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("alignment", type=click.Path(dir_okay=False))
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the page in the default browser.")
@quiet_option
def command(alignment: str, port: int, open_browser: bool, quiet: bool) -> None:
    """Review and correct an alignment file (native JSON) in the browser.

    A local web app on 127.0.0.1 only: accept or reject links, merge, split and
    relink them, write notes. Every change is saved at once (atomically) to
    ALIGNMENT, with an undo history in ALIGNMENT.history.jsonl; stopping the
    server or closing the browser loses nothing. Other *.json alignments in the
    same folder can be opened from the page; nothing outside that folder.

    \b
    Examples:
      parallel-corpus align a.ar.txt b.en.txt -f json -o pair.json
      parallel-corpus review pair.json            # then open http://127.0.0.1:8765/
    """
    try:
        from ..review.app import serve
    except ImportError as exc:
        from ..errors import MissingExtra

        raise MissingExtra(f"the review app needs Flask: pip install flask (the [review] extra; {exc})") from None
    from ..readers import read_alignment

    read_alignment(alignment)  # a bad file is a one-line error before anything listens
    if port:
        _check_port(port)
    try:
        serve(alignment, port=port, open_browser=open_browser, log=note(quiet))
    except OSError as exc:
        from ..errors import ParallelError

        raise ParallelError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})") from None


def _check_port(port: int) -> None:
    """A port another program listens on is a one-line error (the server library would print its
    own two lines and exit)."""
    import socket

    from ..errors import ParallelError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ParallelError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                                "pass another --port, or --port 0 for any free one") from None
