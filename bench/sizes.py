"""How big a run is. `quick` is the default of `make bench`; `full` is what the issue asks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    incidents: int  # part 1, end to end
    in_flight: int  # incidents driven at once, Regie and bare alike
    capacity: tuple[int, ...]  # part 3, open incidents waiting on people
    read_rows: int  # part 4, incidents of the read board
    read_requests: int  # part 4, requests per measured read
    load_clients: int  # part 7
    load_seconds: float
    # Part 2 again at a light load, so the latency is the path's and not the queue's.
    latency_incidents: int = 2
    latency_in_flight: int = 1
    # Part 1 as this many bare-then-Regie pairs; the ratio is their median (bench/overhead.py).
    rounds: int = 1


SIZES = {
    "smoke": Size("smoke", 2, 2, (3,), 100, 5, 5, 1.0, 1, 1, rounds=2),
    "quick": Size("quick", 40, 20, (200,), 10_000, 100, 50, 15.0, 10, 2, rounds=2),
    "full": Size("full", 200, 50, (1_000, 10_000), 100_000, 300, 50, 60.0, 20, 2, rounds=3),
}
