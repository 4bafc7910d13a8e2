"""How an upload is cut into parts.

Every part but the last has the same size, so that the server knows each part's exact size in
advance: a part that is longer is refused before it is stored, and a restarted upload only
needs to know which part numbers have arrived. S3 allows at most 10,000 parts of at least
5 MiB (the last excepted), so a larger file gets larger parts."""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_PARTS = 10_000
MIN_PART_BYTES = 5 * 2**20
MiB = 2**20


@dataclass(frozen=True)
class PartPlan:
    size: int  # of the whole file, bytes
    part_size: int  # of each part but the last

    @classmethod
    def for_file(cls, size: int, preferred_part_size: int) -> PartPlan:
        if size < 0:
            raise ValueError("size must not be negative")
        part_size = max(preferred_part_size, MIN_PART_BYTES)
        if size > part_size * MAX_PARTS:  # whole MiB: tidy numbers in the API
            part_size = math.ceil(size / MAX_PARTS / MiB) * MiB
        return cls(size, part_size)

    @property
    def part_count(self) -> int:
        return max(1, math.ceil(self.size / self.part_size))

    def part_length(self, number: int) -> int:
        """The exact size of part `number` (1-based)."""
        if not 1 <= number <= self.part_count:
            raise ValueError(f"part number must be between 1 and {self.part_count}")
        if number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)

    def missing(self, received: set[int]) -> list[int]:
        return [n for n in range(1, self.part_count + 1) if n not in received]
