# The webrtc benchmark's server for aiortc (Python; what Pipecat's SmallWebRTC transport runs on), echoing the
# way an aiortc user writes it: the remote audio track is added back to the same connection, so aiortc decodes
# each Opus packet (its jitter buffer and decoder) and the sender re-encodes every frame it is handed.
#
# It speaks the same messages as server.ts (protocol.ts) over the IPC channel the parent opens: Node passes its
# file descriptor in NODE_CHANNEL_FD and, for a child that is not Node, frames messages as JSON lines.
# Needs aiortc (Debian: python3-aiortc). CPU is getrusage(RUSAGE_SELF): every thread of this process, like
# process.cpuUsage() in the Node servers.
import asyncio
import json
import os
import resource
import sys

try:
    from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
except ImportError as err:
    print(f"aiortc-server.py: aiortc does not import ({err}); on Debian: apt-get install python3-aiortc", file=sys.stderr)
    sys.exit(3)  # AIORTC_MISSING in suites/webrtc.ts

CHANNEL = int(os.environ["NODE_CHANNEL_FD"])
# Frames handed from the remote track to the sender: in and out at once, so one count serves as both.
frames_echoed = 0
connections: list[RTCPeerConnection] = []


def send(message: dict) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(CHANNEL, data) :]


class Echo(MediaStreamTrack):
    """The remote track's decoded frames, handed on to the sender unchanged, counted on the way."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source

    async def recv(self):
        global frames_echoed
        frame = await self.source.recv()
        frames_echoed += 1
        return frame


async def answer(offer_id: str, sdp: str) -> None:
    pc = RTCPeerConnection()
    connections.append(pc)

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            pc.addTrack(Echo(track))

    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    send({"type": "answer", "id": offer_id, "sdp": pc.localDescription.sdp})


def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    # aioice 0.8.0 (Debian's) can time out a STUN transaction whose future a cancelled check has already settled,
    # when it gives up a candidate pair; asyncio then reports InvalidStateError from Transaction.__retry. That is
    # harmless to the echo and not ours to fix; anything else is reported as asyncio would.
    if isinstance(context.get("exception"), asyncio.InvalidStateError) and "Transaction.__retry" in repr(
        context.get("handle")
    ):
        return
    loop.default_exception_handler(context)


def cpu_us() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round((usage.ru_utime + usage.ru_stime) * 1e6)


async def main() -> None:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(on_loop_error)
    stopped = loop.create_future()
    pending = b""
    tasks: set[asyncio.Task] = set()

    def answered(task: asyncio.Task) -> None:
        # An offer aiortc cannot answer leaves its caller unconnected (the callers give up after 30 s and the
        # stack is left out); say why here.
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            print(f"aiortc-server.py: answering an offer failed: {task.exception()!r}", file=sys.stderr)

    def on_message(message: dict) -> None:
        kind = message.get("type")
        if kind == "offer":
            task = loop.create_task(answer(message["id"], message["sdp"]))
            tasks.add(task)
            task.add_done_callback(answered)
        elif kind == "stats":
            send({"type": "stats", "cpuUs": cpu_us(), "framesIn": frames_echoed, "framesOut": frames_echoed, "concealed": 0})
        elif kind == "stop" and not stopped.done():
            stopped.set_result(None)

    def on_readable() -> None:
        nonlocal pending
        chunk = os.read(CHANNEL, 65536)
        if not chunk:  # the parent is gone
            if not stopped.done():
                stopped.set_result(None)
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                on_message(json.loads(line))

    os.set_blocking(CHANNEL, True)
    loop.add_reader(CHANNEL, on_readable)
    send({"type": "ready"})
    await stopped
    loop.remove_reader(CHANNEL)
    await asyncio.gather(*(pc.close() for pc in connections), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
