"""The background event loop behind the blocking (azureml-style) API.

One daemon thread runs one asyncio loop for the process; blocking calls submit
coroutines to it and wait. Connections made for the blocking API live on that
loop; the asyncio API (modelgate.aio, Webservice.run_async) uses the caller's.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from typing import Any, AsyncIterator, Awaitable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: Optional[asyncio.AbstractEventLoop] = None


def loop() -> asyncio.AbstractEventLoop:
    """The shared background loop, started on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            new_loop = asyncio.new_event_loop()
            threading.Thread(target=new_loop.run_forever, name="modelgate-loop", daemon=True).start()
            _loop = new_loop
        return _loop


_clients: "weakref.WeakSet[Any]" = weakref.WeakSet()


def close_at_exit(client: Any) -> None:
    """Closes a client living on the background loop when the interpreter exits, so no call is left dangling."""
    _clients.add(client)


@atexit.register
def _close_all() -> None:
    background = _loop
    if background is None or background.is_closed() or not background.is_running():
        return
    for client in list(_clients):
        try:
            asyncio.run_coroutine_threadsafe(client.close(), background).result(timeout=2)
        except Exception:
            pass


def run(coroutine: Awaitable[T]) -> T:
    """Runs a coroutine on the background loop and waits for its result (or exception)."""
    background = loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is background:
        raise RuntimeError("blocking ModelGate calls cannot run on the client's own loop; use the async API")
    future = asyncio.run_coroutine_threadsafe(coroutine, background)
    try:
        return future.result()
    except KeyboardInterrupt:
        future.cancel()
        raise


def iterate(async_iterator: AsyncIterator[T]) -> Iterator[T]:
    """A blocking iterator over an async iterator that runs on the background loop.

    Closing the blocking iterator early closes the async one (which cancels its call).
    """
    try:
        while True:
            try:
                yield run(async_iterator.__anext__())
            except StopAsyncIteration:
                return
    finally:
        closer = getattr(async_iterator, "aclose", None)
        if closer is not None:
            try:
                run(closer())
            except Exception:
                pass


class ThreadFedInputs:
    """An async iterable, on the background loop, over a blocking iterable read by its own thread.

    A generator of inputs may block (read a file, wait for data); reading it on
    the loop would stall every call. The feeder thread hands items over through
    a bounded queue, so a fast producer waits for the sender (backpressure).
    """

    _END = object()

    def __init__(self, iterable: Iterable[Any], capacity: int = 256) -> None:
        self._iterable = iterable
        self._capacity = capacity

    def __aiter__(self):
        return self._items()

    async def _items(self):
        queue: asyncio.Queue = asyncio.Queue(self._capacity)
        current = asyncio.get_running_loop()
        stop = threading.Event()

        def feed() -> None:
            try:
                for item in self._iterable:
                    if stop.is_set():
                        return
                    asyncio.run_coroutine_threadsafe(queue.put((True, item)), current).result()
                asyncio.run_coroutine_threadsafe(queue.put((True, self._END)), current).result()
            except BaseException as error:  # hand the inputs' failure to the sender
                if not stop.is_set():
                    try:
                        asyncio.run_coroutine_threadsafe(queue.put((False, error)), current).result()
                    except Exception:
                        pass

        thread = threading.Thread(target=feed, name="modelgate-inputs", daemon=True)
        thread.start()
        try:
            while True:
                ok, item = await queue.get()
                if not ok:
                    raise item
                if item is self._END:
                    return
                yield item
        finally:
            stop.set()
            while not queue.empty():  # unblock a feeder waiting on a full queue
                queue.get_nowait()
