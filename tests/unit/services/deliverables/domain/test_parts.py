import pytest

from services.deliverables.domain.parts import MAX_PARTS, MIN_PART_BYTES, MiB, PartPlan

GiB = 2**30


def test_a_file_is_cut_into_equal_parts_and_a_shorter_last():
    plan = PartPlan.for_file(GiB + 5, 64 * MiB)
    assert plan.part_count == 17
    assert [plan.part_length(n) for n in (1, 16, 17)] == [64 * MiB, 64 * MiB, 5]
    assert sum(plan.part_length(n) for n in range(1, 18)) == GiB + 5


def test_a_file_of_whole_parts_has_no_empty_last_part():
    plan = PartPlan.for_file(128 * MiB, 64 * MiB)
    assert plan.part_count == 2 and plan.part_length(2) == 64 * MiB


def test_a_small_file_is_one_part():
    plan = PartPlan.for_file(10, 64 * MiB)
    assert plan.part_count == 1 and plan.part_length(1) == 10


def test_parts_grow_so_that_a_huge_file_needs_at_most_the_s3_maximum():
    plan = PartPlan.for_file(1000 * GiB, 64 * MiB)
    assert plan.part_count <= MAX_PARTS
    assert plan.part_size % MiB == 0 and plan.part_size > 64 * MiB


def test_parts_are_never_below_the_s3_minimum():
    assert PartPlan.for_file(GiB, 1024).part_size == MIN_PART_BYTES


@pytest.mark.parametrize("number", [0, -1, 18])
def test_part_numbers_outside_the_plan_are_refused(number):
    with pytest.raises(ValueError, match="between 1 and 17"):
        PartPlan.for_file(GiB + 5, 64 * MiB).part_length(number)


def test_missing_parts_are_those_not_received():
    plan = PartPlan.for_file(5 * 64 * MiB, 64 * MiB)
    assert plan.missing({1, 3, 5}) == [2, 4]
    assert plan.missing(set(range(1, 6))) == []
